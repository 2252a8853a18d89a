using Chaos.Harness.Faults.Network;
using Chaos.Harness.Proxy;
using Chaos.Harness.Workload;

namespace Chaos.Harness.Faults.Client;

/// <summary>
/// A network switch (Wi-Fi to cellular): the device's connection drops abruptly and it makes a new one from a new
/// address. With a proxy in front, the old connection is first blackholed there, so — as on a real network — the
/// gateway hears nothing more on it (no close) and must time it out, while the client aborts its socket and
/// reconnects. Heal removes the blackhole if the old connection still exists.
/// </summary>
public sealed class NetworkSwitchFault(VirtualDevice device, ToxiproxyClient? proxies = null, string? proxy = null) : IFault
{
    private ConnectionToxicFault? _blackhole;

    public string Name => "network-switch";

    public string Target => device.Process;

    /// <summary>The device's reconnect count when its network switched (null before apply).</summary>
    public int? ReconnectsAtSwitch { get; private set; }

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        ReconnectsAtSwitch = device.Reconnects;
        if (proxies is not null && proxy is not null && await DeviceConnections.FindAsync(proxies, proxy, device, cancellationToken) is { } connection)
        {
            _blackhole = new ConnectionToxicFault(proxies, proxy, connection.Id, Toxic.Timeout(0, ToxicStream.Upstream) with { Name = "network-switch" });
            await _blackhole.ApplyAsync(cancellationToken);
        }

        device.Client.Cut();
    }

    public Task HealAsync(CancellationToken cancellationToken) => _blackhole?.HealAsync(cancellationToken) ?? Task.CompletedTask;
}
