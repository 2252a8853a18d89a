using System.Net.Sockets;
using System.Threading.Channels;
using Chaos.Harness.Proxy.Toxics;

namespace Chaos.Harness.Proxy;

/// <summary>
/// One direction of a proxied connection: a reader task moves bytes from the source socket into a bounded queue,
/// a processor task runs each chunk through the toxic chain and writes it to the destination socket. The queue
/// bound (64 reads of at most 16 KiB) is the only buffering, so a slow toxic back-pressures the sender through TCP.
/// While a <c>stall</c> toxic is on, the reader stops reading at once (<see cref="StallToxic"/>): the sender's bytes stay
/// in the kernel and the window it is offered closes.
/// </summary>
internal sealed class ProxyLink : IToxicLink
{
    private const int ReadSize = 16 * 1024;
    private const int QueuedReads = 64;

    private readonly ProxiedConnection _connection;
    private readonly Socket _source;
    private readonly Socket _destination;
    private readonly Channel<Chunk> _queue = Channel.CreateBounded<Chunk>(
        new BoundedChannelOptions(QueuedReads) { SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    // Touched only by the processor task.
    private readonly Dictionary<string, ToxicContext> _contexts = new(StringComparer.Ordinal);
    private long _cutBudget = -1;
    private long _bytesForwarded;
    private long _bytesRead;

    public ProxyLink(ProxiedConnection connection, ToxicStream direction, Socket source, Socket destination, Random random)
    {
        _connection = connection;
        Direction = direction;
        _source = source;
        _destination = destination;
        Random = random;
    }

    public ToxicStream Direction { get; }

    public TimeProvider Time => _connection.Time;

    public Random Random { get; }

    public CancellationToken ConnectionClosed => _connection.Closed;

    /// <summary>Bytes written to the destination so far.</summary>
    public long BytesForwarded => Interlocked.Read(ref _bytesForwarded);

    /// <summary>Bytes read from the source and not yet written to the destination: what the proxy holds.</summary>
    public long BytesHeld => Math.Max(0, Interlocked.Read(ref _bytesRead) - BytesForwarded);

    /// <summary>Bytes the source sent that the proxy has not read: they wait in its socket receive buffer, and the TCP
    /// window it advertises is smaller by as much (0 when the socket is gone).</summary>
    public long BytesUnread
    {
        get
        {
            try
            {
                return _source.Available;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return 0;
            }
        }
    }

    public Task CloseConnectionAsync() => _connection.CloseAsync(reset: false);

    public Task ResetConnectionAsync() => _connection.CloseAsync(reset: true);

    /// <summary>Our extension: forward <paramref name="bytes"/> more bytes in this direction, then reset.</summary>
    public void ArmCut(long bytes) => Interlocked.Exchange(ref _cutBudget, bytes);

    public Task RunAsync() => Task.WhenAll(ReadAsync(), ProcessAsync());

    private async Task ReadAsync()
    {
        var buffer = new byte[ReadSize];
        try
        {
            while (true)
            {
                while (true)
                {
                    // A stall: read nothing more until it is gone (take the signal, then look). The reader looks at the
                    // toxics itself, not through the processor, so a read after the toxic was added never happens.
                    var changed = _connection.ChainChanged;
                    if (!_connection.Stalls(Direction))
                    {
                        break;
                    }

                    await changed.WaitAsync(ConnectionClosed);
                }

                var read = await _source.ReceiveAsync(buffer, SocketFlags.None, ConnectionClosed);
                if (read == 0)
                {
                    break;
                }

                Interlocked.Add(ref _bytesRead, read);

                await _queue.Writer.WriteAsync(new Chunk(buffer.AsSpan(0, read).ToArray(), Time.GetTimestamp()), ConnectionClosed);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A failed read ends this direction like an EOF does (as in Toxiproxy).
        }
        finally
        {
            _queue.Writer.TryComplete();
        }
    }

    private async Task ProcessAsync()
    {
        Task<bool>? pendingRead = null;
        try
        {
            while (!ConnectionClosed.IsCancellationRequested)
            {
                var changed = _connection.ChainChanged;
                var chain = SyncChain(out var closeNow, out var deadline);
                if (closeNow || (deadline is { } passed && Time.GetElapsedTime(passed) >= TimeSpan.Zero))
                {
                    // A removed timeout toxic, or one whose time is up: Toxiproxy closes the connection.
                    await CloseConnectionAsync();
                    return;
                }

                pendingRead ??= _queue.Reader.WaitToReadAsync(ConnectionClosed).AsTask();
                if (!pendingRead.IsCompleted)
                {
                    using var timer = new CancellationTokenSource();
                    var waits = new List<Task>(3) { pendingRead, changed };
                    if (deadline is { } due)
                    {
                        var wait = Time.GetElapsedTime(Time.GetTimestamp(), due);
                        waits.Add(Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, Time, timer.Token));
                    }

                    await Task.WhenAny(waits);
                    await timer.CancelAsync();
                    if (!pendingRead.IsCompleted)
                    {
                        continue;
                    }
                }

                if (!await pendingRead)
                {
                    await RunEndAsync(chain, 0);
                    await _connection.DirectionEndedAsync(_destination);
                    return;
                }

                pendingRead = null;
                while (!changed.IsCompleted && _queue.Reader.TryRead(out var chunk))
                {
                    await RunChainAsync(chain, 0, chunk);
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or ChannelClosedException)
        {
            // The destination went away or the connection was closed under us: tear the whole connection down.
            await CloseConnectionAsync();
        }
    }

    /// <summary>Brings the per-connection toxic contexts in line with the current definitions.</summary>
    private List<ToxicContext> SyncChain(out bool closeNow, out long? deadline)
    {
        var definitions = _connection.ChainFor(Direction);
        closeNow = false;
        deadline = null;

        foreach (var (key, context) in _contexts.ToList())
        {
            if (!definitions.Any(d => string.Equals(d.Key, key, StringComparison.Ordinal)))
            {
                _contexts.Remove(key);

                // Toxiproxy's timeout toxic closes the connection when it is removed.
                closeNow |= context.Definition.Behavior is TimeoutToxic && context.Active;
            }
        }

        var chain = new List<ToxicContext>(definitions.Count);
        foreach (var definition in definitions)
        {
            if (!_contexts.TryGetValue(definition.Key, out var context))
            {
                context = new ToxicContext(this, definition);
                _contexts[definition.Key] = context;
            }
            else if (!ReferenceEquals(context.Definition, definition))
            {
                context.Reroll(definition);
            }

            if (!context.Active)
            {
                continue;
            }

            chain.Add(context);
            if (definition.Behavior is TimeoutToxic && context["timeout"] > 0)
            {
                var due = context.ActivatedAt + (long)(context["timeout"] / 1000.0 * Time.TimestampFrequency);
                deadline = deadline is { } earlier ? Math.Min(earlier, due) : due;
            }
        }

        return chain;
    }

    private ValueTask RunChainAsync(List<ToxicContext> chain, int index, Chunk chunk)
    {
        if (index == chain.Count)
        {
            return WriteAsync(chunk.Data);
        }

        var context = chain[index];
        return context.Definition.Behavior.OnChunkAsync(context, chunk, next => RunChainAsync(chain, index + 1, next));
    }

    private ValueTask RunEndAsync(List<ToxicContext> chain, int index)
    {
        if (index == chain.Count)
        {
            return ValueTask.CompletedTask;
        }

        var context = chain[index];
        return context.Definition.Behavior.OnEndAsync(context, () => RunEndAsync(chain, index + 1));
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> data)
    {
        var budget = Interlocked.Read(ref _cutBudget);
        if (budget >= 0)
        {
            var allowed = (int)Math.Min(budget, data.Length);
            await SendAllAsync(data[..allowed]);
            if (Interlocked.Add(ref _cutBudget, -allowed) <= 0)
            {
                await SocketSendQueue.WaitUntilSentAsync(_destination, Time, TimeSpan.FromSeconds(1), ConnectionClosed);
                await ResetConnectionAsync();
                throw new OperationCanceledException("connection cut", ConnectionClosed);
            }

            return;
        }

        await SendAllAsync(data);
    }

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            var sent = await _destination.SendAsync(data, SocketFlags.None, ConnectionClosed);
            data = data[sent..];
            Interlocked.Add(ref _bytesForwarded, sent);
        }
    }
}
