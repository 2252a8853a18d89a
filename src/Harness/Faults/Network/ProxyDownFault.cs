using Chaos.Harness.Proxy;

namespace Chaos.Harness.Faults.Network;

/// <summary>
/// Toxiproxy's "down": apply disables the proxy (its connections are closed and new connects refused), heal
/// enables it again. Heal is idempotent; a proxy that no longer exists counts as healed.
/// </summary>
public sealed class ProxyDownFault : IFault
{
    private readonly ToxiproxyClient _client;

    public ProxyDownFault(ToxiproxyClient client, string proxy)
    {
        _client = client;
        Target = proxy;
    }

    public string Name => "down";

    public string Target { get; }

    public Task ApplyAsync(CancellationToken cancellationToken) => _client.SetEnabledAsync(Target, false, cancellationToken);

    public async Task HealAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.SetEnabledAsync(Target, true, cancellationToken);
        }
        catch (ToxiproxyNotFoundException)
        {
            // The proxy was deleted: nothing is down any more.
        }
    }
}
