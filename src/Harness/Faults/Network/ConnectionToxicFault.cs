using Chaos.Harness.Proxy;

namespace Chaos.Harness.Faults.Network;

/// <summary>
/// A toxic on one proxied connection (our extension), e.g. latency for one device's WebSocket: apply adds it,
/// heal removes it. Heal is idempotent; a connection that closed meanwhile counts as healed.
/// </summary>
public sealed class ConnectionToxicFault : IFault
{
    private readonly ToxiproxyClient _client;
    private readonly long _connection;
    private readonly ToxicSpec _toxic;

    public ConnectionToxicFault(ToxiproxyClient client, string proxy, long connection, ToxicSpec toxic)
    {
        _client = client;
        _connection = connection;
        _toxic = toxic;
        Target = proxy;
    }

    /// <summary>The toxic's type, e.g. <c>latency</c>.</summary>
    public string Name => _toxic.Type;

    /// <summary>The proxy's name.</summary>
    public string Target { get; }

    /// <summary>The connection's id within the proxy.</summary>
    public long Connection => _connection;

    public Task ApplyAsync(CancellationToken cancellationToken) =>
        _client.AddConnectionToxicAsync(Target, _connection, _toxic, cancellationToken);

    public async Task HealAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.RemoveConnectionToxicAsync(Target, _connection, _toxic.EffectiveName, cancellationToken);
        }
        catch (ToxiproxyNotFoundException)
        {
            // Never applied, already healed, or the connection is gone.
        }
    }
}
