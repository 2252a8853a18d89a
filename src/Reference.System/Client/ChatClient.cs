using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chaos.Reference.Client;

/// <summary>
/// One device of one user on the gateway hub: receives deliveries in sequence order, hands each to the app once,
/// persists the last sequence, acknowledges, and after a cut reconnects (exponential backoff with jitter) and resumes
/// from the stored sequence. Redelivered frames (at or below the last sequence) are dropped; a frame that skips ahead
/// is dropped and the gateway is asked to resume from the last sequence.
/// </summary>
public sealed class ChatClient : IAsyncDisposable
{
    private readonly ChatClientOptions _options;
    private readonly HubConnection _connection;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly Random _random;
    private readonly CancellationTokenSource _disposed = new();
    private readonly SleepGate _sleep = new();

    // One frame at a time across connection incarnations: after a reconnect, SignalR may still be dispatching the old
    // connection's queued frames while the new one replays; unserialised, both could pass the duplicate check.
    private readonly SemaphoreSlim _frames = new(1, 1);
    private long _ackPending;
    private int _ackScheduled;
    private readonly SocketsHttpHandler _handler;
    private readonly HttpMessageInvoker _invoker;
    private WebSocket? _socket;
    private volatile EndPoint? _localEndPoint;
    private int _reconnects;
    private int _disposedOnce;
    private long _gapSince;
    private CancellationTokenSource? _reconnect;
    private long _last;
    private volatile bool _wantConnected;
    private volatile ChatClientState _state;

    public ChatClient(ChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _random = new Random(options.Seed);
        // Our own connect, so the client knows its socket's local address: a fault proxy names connections by it.
        _handler = new SocketsHttpHandler { ConnectCallback = ConnectSocketAsync };
        _invoker = new HttpMessageInvoker(_handler, disposeHandler: false);
        var url = new UriBuilder(options.HubUrl);
        var device = "device=" + Uri.EscapeDataString(options.Device);
        url.Query = string.IsNullOrEmpty(url.Query) ? device : url.Query.TrimStart('?') + "&" + device;
        _connection = new HubConnectionBuilder()
            .WithUrl(url.Uri, o =>
            {
                // One WebSocket, no negotiate round trip: works through a TCP proxy and across gateway instances without sticky sessions.
                o.SkipNegotiation = true;
                o.Transports = HttpTransportType.WebSockets;
                o.WebSocketFactory = OpenSocketAsync;
            })
            .Build();
        _connection.ServerTimeout = options.ServerTimeout;
        _connection.KeepAliveInterval = options.KeepAliveInterval;
        _connection.HandshakeTimeout = options.ConnectTimeout;
        _connection.On<DeliveryFrame>(_options.Methods.Deliver, OnDeliverAsync);
        _connection.Closed += OnClosedAsync;
    }

    /// <summary>App-level deliveries, each id once and in sequence order (unless DropDuplicates is off).</summary>
    public event Action<ChatDelivery>? Delivered;

    /// <summary>Every Deliver frame as it arrived, with what the client did with it.</summary>
    public event Action<TransportFrame>? FrameReceived;

    public event Action<ChatClientState, Exception?>? StateChanged;

    public string User => _options.User;

    public string Device => _options.Device;

    public long LastSequence => Interlocked.Read(ref _last);

    public ChatClientState State => _state;

    /// <summary>Successful automatic reconnects so far (each one resumed from the stored sequence).</summary>
    public int Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>The local address of the current (or last) connection's socket, as a proxy in front sees the client.</summary>
    public EndPoint? LocalEndPoint => _localEndPoint;

    /// <summary>True between <see cref="Sleep"/> and <see cref="Wake"/>.</summary>
    public bool IsAsleep => _sleep.IsAsleep;

    /// <summary>Connects, then asks the gateway for everything after the stored last sequence. Throws when the handshake is refused (e.g. a bad token).</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            _wantConnected = true;
            SetState(ChatClientState.Connecting, null);
            var stored = await _options.SequenceStore.LoadAsync(_options.User, _options.Device, cancellationToken);
            InterlockedMax(ref _last, stored);
            try
            {
                await _connection.StartAsync(cancellationToken);
                await _connection.InvokeAsync(_options.Methods.Resume, stored, cancellationToken);
            }
            catch
            {
                _wantConnected = false;
                SetState(ChatClientState.Disconnected, null);
                throw;
            }

            SetState(ChatClientState.Connected, null);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>Graceful close; no automatic reconnect.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            _wantConnected = false;
            if (_reconnect is { } r)
            {
                await r.CancelAsync();
            }

            await _connection.StopAsync(cancellationToken);
            SetState(ChatClientState.Disconnected, null);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>An abrupt cut: the socket is aborted with no close handshake (as when the network drops). Reconnects by itself if enabled.</summary>
    public void Cut() => _socket?.Abort();

    /// <summary>
    /// Suspends the device as a mobile OS suspends an app: from now on the client neither reads nor writes its socket
    /// (no frames, no acks, no pings) and makes no reconnect attempt, until <see cref="Wake"/>. The connection is left
    /// as it is, so the server's client timeout decides its fate.
    /// </summary>
    public void Sleep() => _sleep.Sleep();

    /// <summary>Resumes a suspended device: reads and writes continue; a connection that died meanwhile is re-made and resumed.</summary>
    public void Wake() => _sleep.Wake();

    private async ValueTask<WebSocket> OpenSocketAsync(WebSocketConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + await _options.TokenProvider(cancellationToken));
            socket.Options.KeepAliveInterval = TimeSpan.Zero; // SignalR pings; no WebSocket-level pings to confuse timeouts
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.ConnectTimeout);
            await socket.ConnectAsync(context.Uri, _invoker, timeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var sleepable = new SleepableWebSocket(socket, _sleep);
        _socket = sleepable;
        return sleepable;
    }

    private async ValueTask<Stream> ConnectSocketAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        _localEndPoint = socket.LocalEndPoint;
        return new NetworkStream(socket, ownsSocket: true);
    }

    private async Task OnDeliverAsync(DeliveryFrame frame)
    {
        await _frames.WaitAsync();
        try
        {
            await HandleFrameAsync(frame);
        }
        finally
        {
            _frames.Release();
        }
    }

    private async Task HandleFrameAsync(DeliveryFrame frame)
    {
        if (_disposed.IsCancellationRequested)
        {
            return; // the app is gone: frames still queued in the connection are handled by nobody
        }

        var now = _options.TimeProvider.GetUtcNow();
        var last = Interlocked.Read(ref _last);
        if (frame.Seq <= last)
        {
            FrameReceived?.Invoke(new TransportFrame(frame.Id, _options.User, _options.Device, frame.Seq, FrameDisposition.Duplicate, now));
            if (!_options.DropDuplicates)
            {
                Delivered?.Invoke(ToDelivery(frame));
            }

            return;
        }

        if (frame.Seq > last + 1)
        {
            var tick = _options.TimeProvider.GetTimestamp();
            var since = Interlocked.CompareExchange(ref _gapSince, tick, 0);
            var givenUp = since != 0 && _options.GapTimeout is { } limit && _options.TimeProvider.GetElapsedTime(since, tick) >= limit;
            if (!givenUp)
            {
                FrameReceived?.Invoke(new TransportFrame(frame.Id, _options.User, _options.Device, frame.Seq, FrameDisposition.Dropped, now));
                await _connection.SendAsync(_options.Methods.Resume, last);
                return;
            }
        }

        Interlocked.Exchange(ref _gapSince, 0);

        FrameReceived?.Invoke(new TransportFrame(frame.Id, _options.User, _options.Device, frame.Seq, FrameDisposition.Accepted, now));
        Delivered?.Invoke(ToDelivery(frame));
        Interlocked.Exchange(ref _last, frame.Seq);
        // Not cancelled by disposal: a frame handed to the app is also persisted, so a restarted app does not get it again.
        await _options.SequenceStore.SaveAsync(_options.User, _options.Device, frame.Seq, CancellationToken.None);
        await AckAsync(frame.Seq);
    }

    /// <summary>Acks <paramref name="seq"/> now, or with the next batched ack (<see cref="ChatClientOptions.AckInterval"/>).</summary>
    private async Task AckAsync(long seq)
    {
        if (_options.AckInterval <= TimeSpan.Zero)
        {
            await _connection.SendAsync(_options.Methods.Ack, seq);
            return;
        }

        Interlocked.Exchange(ref _ackPending, seq); // frames are handled one at a time, so seq only grows here
        if (Interlocked.CompareExchange(ref _ackScheduled, 1, 0) == 0)
        {
            _ = SendBatchedAckAsync();
        }
    }

    private async Task SendBatchedAckAsync()
    {
        try
        {
            await Task.Delay(_options.AckInterval, _options.TimeProvider, _disposed.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        finally
        {
            Volatile.Write(ref _ackScheduled, 0);
        }

        try
        {
            if (_connection.State == HubConnectionState.Connected)
            {
                await _connection.SendAsync(_options.Methods.Ack, Interlocked.Read(ref _ackPending));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // the connection went: the next frame's ack (or the resume on reconnect) tells the gateway where we are
        }
    }

    private ChatDelivery ToDelivery(DeliveryFrame f) =>
        new(f.Id, _options.User, _options.Device, f.Seq, f.Kind, f.Sender, f.Conversation, f.Payload, f.SentAt);

    private Task OnClosedAsync(Exception? error)
    {
        if (!_wantConnected || !_options.AutoReconnect || _disposed.IsCancellationRequested)
        {
            SetState(ChatClientState.Disconnected, error);
            return Task.CompletedTask;
        }

        SetState(ChatClientState.Reconnecting, error);
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        Interlocked.Exchange(ref _reconnect, cts)?.Dispose();
        _ = Task.Run(() => ReconnectAsync(cts.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; _wantConnected && !cancellationToken.IsCancellationRequested; attempt++)
        {
            var ceiling = Math.Min(_options.ReconnectMaxDelay.TotalMilliseconds, _options.ReconnectMinDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)));
            double jitter;
            lock (_random)
            {
                jitter = 0.5 + (_random.NextDouble() * 0.5);
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(ceiling * jitter), _options.TimeProvider, cancellationToken);
                await _sleep.WaitAwakeAsync(cancellationToken); // a suspended app makes no attempt
                await _lifecycle.WaitAsync(cancellationToken);
                try
                {
                    if (!_wantConnected)
                    {
                        return;
                    }

                    if (_connection.State == HubConnectionState.Disconnected)
                    {
                        await _connection.StartAsync(cancellationToken);
                    }

                    // Resume from what is durably stored: the in-memory last sequence only filters what comes back.
                    var stored = await _options.SequenceStore.LoadAsync(_options.User, _options.Device, cancellationToken);
                    await _connection.InvokeAsync(_options.Methods.Resume, stored, cancellationToken);
                    Interlocked.Increment(ref _reconnects);
                    SetState(ChatClientState.Connected, null);
                    return;
                }
                finally
                {
                    _lifecycle.Release();
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                SetState(ChatClientState.Reconnecting, e);
            }
        }
    }

    private void SetState(ChatClientState state, Exception? error)
    {
        _state = state;
        StateChanged?.Invoke(state, error);
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while ((current = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposedOnce, 1) == 1)
        {
            return;
        }

        _wantConnected = false;
        // Let the frame in hand finish (its sequence saved) before the app goes: a graceful close never makes the
        // next start resume too early (regression: GatewayTests, app restarted with a file sequence store).
        var idle = await _frames.WaitAsync(TimeSpan.FromSeconds(2));
        await _disposed.CancelAsync();
        if (idle)
        {
            _frames.Release();
        }

        _sleep.Wake(); // a frozen socket would hold the close up (handlers see the disposal first and hand nothing over)
        await _connection.DisposeAsync();
        _invoker.Dispose();
        _handler.Dispose();
        _reconnect?.Dispose();
        _disposed.Dispose();
        _lifecycle.Dispose();
    }
}
