using Chaos.Harness.Proxy;

namespace Chaos.Harness.Faults.Network;

/// <summary>
/// A toxic on a proxy as a fault: apply adds it, heal removes it (idempotent: a missing toxic or proxy is healed).
/// Works against our proxy or a real Toxiproxy.
/// </summary>
public sealed class ToxicFault : IFault
{
    private readonly ToxiproxyClient _client;
    private readonly ToxicSpec _toxic;

    public ToxicFault(ToxiproxyClient client, string proxy, ToxicSpec toxic)
    {
        _client = client;
        _toxic = toxic;
        Target = proxy;
    }

    /// <summary>The toxic's type, e.g. <c>latency</c>.</summary>
    public string Name => _toxic.Type;

    /// <summary>The proxy's name.</summary>
    public string Target { get; }

    /// <summary>The toxic's name on the proxy.</summary>
    public string ToxicName => _toxic.EffectiveName;

    public Task ApplyAsync(CancellationToken cancellationToken) => _client.AddToxicAsync(Target, _toxic, cancellationToken);

    public async Task HealAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.RemoveToxicAsync(Target, ToxicName, cancellationToken);
        }
        catch (ToxiproxyNotFoundException)
        {
            // Never applied, already healed, or the proxy is gone: nothing is left applied.
        }
    }
}
