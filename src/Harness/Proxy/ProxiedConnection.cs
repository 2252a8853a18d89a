using System.Collections.Immutable;
using System.Net.Sockets;
using Chaos.Harness.Proxy.Toxics;

namespace Chaos.Harness.Proxy;

/// <summary>
/// One client connection and the upstream connection opened for it, with a link per direction. Besides the
/// proxy's toxics it carries toxics of its own (our per-connection extension) and can be cut on demand.
/// </summary>
internal sealed class ProxiedConnection
{
    private readonly TcpFaultProxy _proxy;
    private readonly Socket _client;
    private readonly Socket _upstream;
    private readonly CancellationTokenSource _closed = new();
    private readonly AsyncSignal _chainChanged = new();
    private readonly Lock _gate = new();
    private ImmutableArray<ToxicDefinition> _toxics = [];
    private int _closing;
    private int _directionsEnded;

    public ProxiedConnection(TcpFaultProxy proxy, long id, Socket client, Socket upstream, int seed)
    {
        _proxy = proxy;
        Id = id;
        _client = client;
        _upstream = upstream;
        ClientAddress = client.RemoteEndPoint?.ToString() ?? "unknown";
        UpstreamAddress = upstream.LocalEndPoint?.ToString() ?? "unknown";

        // Per connection and direction, derived from the run's seed: a fixed seed replays the same choices.
        Upstream = new ProxyLink(this, ToxicStream.Upstream, client, upstream, SeedStreams.Random(seed, SeedStreams.Proxy, id * 2));
        Downstream = new ProxyLink(this, ToxicStream.Downstream, upstream, client, SeedStreams.Random(seed, SeedStreams.Proxy, (id * 2) + 1));
    }

    public long Id { get; }

    /// <summary>The client's address as the proxy sees it (the client's local endpoint).</summary>
    public string ClientAddress { get; }

    /// <summary>The proxy's local endpoint of the upstream connection (what the server sees as the peer).</summary>
    public string UpstreamAddress { get; }

    public ProxyLink Upstream { get; }

    public ProxyLink Downstream { get; }

    public TimeProvider Time => _proxy.Time;

    public CancellationToken Closed => _closed.Token;

    public Task ChainChanged => _chainChanged.WhenNotified;

    public Task Completion { get; private set; } = Task.CompletedTask;

    public ImmutableArray<ToxicDefinition> Toxics => _toxics;

    public void Start() => Completion = RunAsync();

    public IReadOnlyList<ToxicDefinition> ChainFor(ToxicStream stream) =>
        [.. _proxy.Toxics.Where(t => t.Stream == stream), .. _toxics.Where(t => t.Stream == stream)];

    /// <summary>Whether a <c>stall</c> toxic is on <paramref name="stream"/> now (the proxy's or this connection's).</summary>
    public bool Stalls(ToxicStream stream) =>
        _proxy.Toxics.Any(t => t.Stream == stream && t.Behavior is StallToxic)
        || _toxics.Any(t => t.Stream == stream && t.Behavior is StallToxic);

    public void NotifyChainChanged() => _chainChanged.Notify();

    public ToxicDefinition AddToxic(ToxicDefinition toxic)
    {
        toxic = toxic.PerConnection ? toxic : toxic.ForConnection();
        lock (_gate)
        {
            if (_toxics.Any(t => string.Equals(t.Name, toxic.Name, StringComparison.Ordinal)))
            {
                throw ProxyApiException.ToxicAlreadyExists();
            }

            _toxics = _toxics.Add(toxic);
        }

        NotifyChainChanged();
        return toxic;
    }

    public void RemoveToxic(string name)
    {
        ToxicDefinition? removed;
        lock (_gate)
        {
            removed = _toxics.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal))
                ?? throw ProxyApiException.ToxicNotFound();
            _toxics = _toxics.Remove(removed);
        }

        removed.Retire();
        NotifyChainChanged();
    }

    public void ResetToxics()
    {
        ImmutableArray<ToxicDefinition> removed;
        lock (_gate)
        {
            removed = _toxics;
            _toxics = [];
        }

        foreach (var toxic in removed)
        {
            toxic.Retire();
        }

        Upstream.ArmCut(-1);
        Downstream.ArmCut(-1);
        NotifyChainChanged();
    }

    /// <summary>Cuts now, or once <paramref name="afterBytes"/> more bytes went through <paramref name="stream"/>.</summary>
    public async Task<bool> CutAsync(bool reset, ToxicStream stream, long afterBytes)
    {
        if (afterBytes <= 0 || !reset)
        {
            await CloseAsync(reset);
            return true;
        }

        (stream == ToxicStream.Upstream ? Upstream : Downstream).ArmCut(afterBytes);
        return false;
    }

    /// <summary>One direction saw EOF and flushed: pass the half-close on; when both have, the connection is done.</summary>
    public async Task DirectionEndedAsync(Socket destination)
    {
        try
        {
            destination.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The destination is already gone; closing below covers it.
        }

        if (Interlocked.Increment(ref _directionsEnded) == 2)
        {
            await CloseAsync(reset: false);
        }
    }

    /// <summary>Closes both sockets: with FIN, or with RST when <paramref name="reset"/>. Idempotent.</summary>
    public Task CloseAsync(bool reset)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1)
        {
            return Task.CompletedTask;
        }

        if (reset)
        {
            SetAbortive(_client);
            SetAbortive(_upstream);
        }

        _closed.Cancel();
        _client.Dispose();
        _upstream.Dispose();
        return Task.CompletedTask;
    }

    private static void SetAbortive(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed: nothing left to reset.
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await Task.WhenAll(Upstream.RunAsync(), Downstream.RunAsync());
        }
        finally
        {
            await CloseAsync(reset: false);
            _proxy.Forget(this);
        }
    }
}
