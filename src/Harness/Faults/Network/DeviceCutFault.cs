using Chaos.Harness.Faults.Client;
using Chaos.Harness.Proxy;
using Chaos.Harness.Workload;

namespace Chaos.Harness.Faults.Network;

/// <summary>
/// Cuts one device's WebSocket at the proxy in front of its gateway — e.g. a reset after N more bytes reach the
/// client, i.e. in the middle of a frame. A cut cannot be undone: heal does nothing; the client must reconnect.
/// </summary>
public sealed class DeviceCutFault(ToxiproxyClient client, string proxy, VirtualDevice device, ConnectionCut cut) : IFault
{
    public string Name => cut.AfterBytes > 0 ? "reset-mid-frame" : cut.Reset ? "reset" : "close";

    public string Target => device.Process;

    /// <summary>The proxy connection id the apply cut, or null when the device had no connection at that moment.</summary>
    public long? CutConnection { get; private set; }

    /// <summary>The device's reconnect count when cut (null before apply).</summary>
    public int? ReconnectsAtCut { get; private set; }

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        ReconnectsAtCut = device.Reconnects;
        if (await DeviceConnections.FindAsync(client, proxy, device, cancellationToken) is { } connection)
        {
            try
            {
                await client.CutConnectionAsync(proxy, connection.Id, cut, cancellationToken);
                CutConnection = connection.Id;
            }
            catch (ToxiproxyNotFoundException)
            {
                // it closed between listing and cutting
            }
        }
    }

    public Task HealAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
