using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using Chaos.Harness.Proxy.Toxics;
using Microsoft.Extensions.Logging;

namespace Chaos.Harness.Proxy;

/// <summary>
/// One named proxy: listens, and for each client opens one upstream connection. Disabled ("down"), it stops
/// listening (new connects are refused) and closes every connection, as Toxiproxy does.
/// </summary>
internal sealed class TcpFaultProxy
{
    private readonly FaultProxyServerOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<long, ProxiedConnection> _connections = new();
    private ImmutableArray<ToxicDefinition> _toxics = [];
    private Socket? _listener;
    private CancellationTokenSource? _accepting;
    private long _nextConnectionId;

    public TcpFaultProxy(FaultProxyServerOptions options, ILogger logger, string name, string listen, string upstream)
    {
        _options = options;
        _logger = logger;
        Name = name;
        Listen = listen;
        Upstream = upstream;
    }

    public string Name { get; }

    /// <summary>The listen address; after a start, the address actually bound (port 0 resolved).</summary>
    public string Listen { get; private set; }

    public string Upstream { get; private set; }

    public bool Enabled { get; private set; }

    public TimeProvider Time => _options.TimeProvider;

    public ImmutableArray<ToxicDefinition> Toxics => _toxics;

    public IReadOnlyList<ProxiedConnection> Connections => [.. _connections.Values.OrderBy(c => c.Id)];

    public ProxiedConnection GetConnection(string id) =>
        long.TryParse(id, out var key) && _connections.TryGetValue(key, out var connection)
            ? connection
            : throw ProxyApiException.ConnectionNotFound();

    /// <summary>Whether <paramref name="listen"/>/<paramref name="upstream"/> differ from this proxy's (Toxiproxy's Differs).</summary>
    public bool Differs(string listen, string upstream)
    {
        var resolved = NetworkAddress.ResolveListen(listen, _options.AllowNonLoopbackListen).ToString();
        return !string.Equals(resolved, Listen, StringComparison.Ordinal) || !string.Equals(upstream, Upstream, StringComparison.Ordinal);
    }

    public void Start()
    {
        lock (_gate)
        {
            StartLocked();
        }
    }

    public void Stop()
    {
        lock (_gate)
        {
            StopLocked();
        }
    }

    /// <summary>Toxiproxy's update: a new address restarts the proxy (dropping connections); then enable/disable.</summary>
    public void Update(string listen, string upstream, bool enabled)
    {
        lock (_gate)
        {
            NetworkAddress.CheckUpstream(upstream, _options.AllowNonLoopbackUpstream);
            if (Differs(listen, upstream))
            {
                StopLocked();
                Listen = listen;
                Upstream = upstream;
            }

            if (enabled && !Enabled)
            {
                StartLocked();
            }
            else if (!enabled)
            {
                StopLocked();
            }
        }
    }

    public ToxicDefinition AddToxic(ToxicDefinition toxic)
    {
        lock (_gate)
        {
            if (FindToxic(toxic.Name) is not null)
            {
                throw ProxyApiException.ToxicAlreadyExists();
            }

            _toxics = _toxics.Add(toxic);
        }

        Log.ToxicAdded(_logger, Name, toxic.Name, toxic.Type, toxic.Stream);
        NotifyConnections();
        return toxic;
    }

    public ToxicDefinition? FindToxic(string name) =>
        _toxics.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));

    public ToxicDefinition UpdateToxic(string name, Func<ToxicDefinition, ToxicDefinition> update)
    {
        ToxicDefinition old;
        ToxicDefinition updated;
        lock (_gate)
        {
            old = FindToxic(name) ?? throw ProxyApiException.ToxicNotFound();
            updated = update(old);
            _toxics = _toxics.Replace(old, updated);
        }

        old.Retire();
        NotifyConnections();
        return updated;
    }

    public void RemoveToxic(string name)
    {
        ToxicDefinition removed;
        lock (_gate)
        {
            removed = FindToxic(name) ?? throw ProxyApiException.ToxicNotFound();
            _toxics = _toxics.Remove(removed);
        }

        removed.Retire();
        Log.ToxicRemoved(_logger, Name, name);
        NotifyConnections();
    }

    /// <summary>Removes every toxic, the per-connection ones and pending cuts included.</summary>
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

        foreach (var connection in _connections.Values)
        {
            connection.ResetToxics();
        }

        NotifyConnections();
    }

    /// <summary>Waits (bounded) for connections closed by <see cref="Stop"/> to finish.</summary>
    public async Task DrainAsync(TimeSpan limit)
    {
        var pending = _connections.Values.Select(c => c.Completion).ToArray();
        await Task.WhenAll(pending).WaitAsync(limit, Time).ConfigureAwait(false);
    }

    internal void Forget(ProxiedConnection connection) => _connections.TryRemove(connection.Id, out _);

    private void NotifyConnections()
    {
        foreach (var connection in _connections.Values)
        {
            connection.NotifyChainChanged();
        }
    }

    private void StartLocked()
    {
        if (Enabled)
        {
            return;
        }

        var endpoint = NetworkAddress.ResolveListen(Listen, _options.AllowNonLoopbackListen);
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(endpoint);
            listener.Listen(512);
        }
        catch (SocketException e)
        {
            listener.Dispose();

            // Toxiproxy answers a failed bind with 500 and Go's error text.
            throw new ProxyApiException(500, $"listen tcp {endpoint}: bind: {e.Message}");
        }

        _listener = listener;
        Listen = listener.LocalEndPoint!.ToString()!;
        Enabled = true;
        _accepting = new CancellationTokenSource();
        _ = AcceptLoopAsync(listener, _accepting.Token);
        Log.ProxyStarted(_logger, Name, Listen, Upstream);
    }

    private void StopLocked()
    {
        if (!Enabled)
        {
            return;
        }

        Enabled = false;
        // Not disposed: connections still being dialled hold its token.
        _accepting?.Cancel();
        _accepting = null;
        _listener?.Dispose();
        _listener = null;
        foreach (var connection in _connections.Values)
        {
            _ = connection.CloseAsync(reset: false);
        }

        Log.ProxyStopped(_logger, Name);
    }

    private async Task AcceptLoopAsync(Socket listener, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                return;
            }

            _ = ConnectUpstreamAsync(client, stopping);
        }
    }

    private async Task ConnectUpstreamAsync(Socket client, CancellationToken stopping)
    {
        client.NoDelay = true;
        var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            timeout.CancelAfter(_options.UpstreamConnectTimeout);
            NetworkAddress.TrySplit(Upstream, out var host, out var port);
            await upstream.ConnectAsync(IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port), timeout.Token)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // As Toxiproxy: the client is accepted, then closed when the upstream cannot be reached.
            Log.UpstreamUnreachable(_logger, Name, Upstream, e.Message);
            upstream.Dispose();
            client.Dispose();
            return;
        }

        var id = Interlocked.Increment(ref _nextConnectionId);
        var connection = new ProxiedConnection(this, id, client, upstream, _options.Seed);
        _connections[id] = connection;
        if (stopping.IsCancellationRequested)
        {
            // Stopped while dialling: do not leave a connection behind a disabled proxy.
            _connections.TryRemove(id, out _);
            upstream.Dispose();
            client.Dispose();
            return;
        }

        Log.ConnectionOpened(_logger, Name, id, connection.ClientAddress);
        connection.Start();
    }
}
