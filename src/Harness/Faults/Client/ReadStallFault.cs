using System.Globalization;
using Chaos.Harness.Faults.Network;
using Chaos.Harness.Proxy;
using Chaos.Harness.Workload;

namespace Chaos.Harness.Faults.Client;

/// <summary>
/// A device that stops reading (a stalled app thread, a radio that takes nothing in): a <c>stall</c> toxic on the
/// device's connection at the proxy in front of its gateway, gateway-to-device direction. The proxy stops reading what
/// the gateway sends, so those bytes wait in the proxy's socket buffer and TCP closes the window the gateway sees; the
/// device still sends (acks, pings). Past the client's server timeout the client gives up on the silent connection and
/// reconnects; a shorter stall just delays. Heal removes the toxic: what was held flows on, in order.
/// Evidence (<see cref="Outcome"/>): what the gateway sent during the stall that the device did not read, read at the
/// heal from the proxy's own counts. docs/faults.md, "Client faults".
/// </summary>
public sealed class ReadStallFault(VirtualDevice device, ToxiproxyClient? proxies, string? proxy, TimeProvider time) : IFault, IFaultOutcome
{
    private const string ToxicName = "read-stall";
    private long _appliedAt;

    public string Name => "read-stall";

    public string Target => device.Process;

    /// <summary>The proxy connection that was stalled (null when the device had no connection at apply, or no proxy).</summary>
    public long? Connection { get; private set; }

    /// <summary>The device's reconnect count when its reads stalled (null before apply).</summary>
    public int? ReconnectsAtStall { get; private set; }

    /// <summary>Bytes the gateway sent on the stalled connection that had not reached the device at the heal: held by
    /// the proxy plus waiting unread in its socket buffer (null before the heal looked, or when the connection was gone).</summary>
    public long? BytesNotRead { get; private set; }

    /// <summary>Of <see cref="BytesNotRead"/>, those left in the proxy's socket receive buffer: the window the gateway was
    /// offered was smaller by as much.</summary>
    public long? BytesUnread { get; private set; }

    /// <summary>How long the stall lasted (null before the heal).</summary>
    public TimeSpan? Lasted { get; private set; }

    /// <summary>The stalled connection was gone when the heal looked, so what it held could not be counted.</summary>
    public bool ClosedBeforeHeal { get; private set; }

    public string? Outcome => (Connection, BytesNotRead) switch
    {
        (null, _) when ReconnectsAtStall is not null => "the device had no connection through its proxy to stall",
        ({ } id, { } notRead) => string.Create(
            CultureInfo.InvariantCulture,
            $"connection {id}: for {Lasted?.TotalSeconds:0.0} s the device read nothing; the gateway had sent {notRead} bytes it did not read ({BytesUnread} unread in the proxy's socket buffer, shrinking the TCP window the gateway saw by as much)"),
        ({ } id, null) when ClosedBeforeHeal => string.Create(CultureInfo.InvariantCulture, $"connection {id}: reads stalled; the connection closed before the heal could count what it held"),
        ({ } id, null) => string.Create(CultureInfo.InvariantCulture, $"connection {id}: reads stalled"),
        _ => null,
    };

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        ReconnectsAtStall = device.Reconnects;
        if (proxies is null || proxy is null || await DeviceConnections.FindAsync(proxies, proxy, device, cancellationToken) is not { } connection)
        {
            return;
        }

        try
        {
            await proxies.AddConnectionToxicAsync(proxy, connection.Id, Toxic.Stall() with { Name = ToxicName }, cancellationToken);
            Connection = connection.Id;
            _appliedAt = time.GetTimestamp();
        }
        catch (ToxiproxyNotFoundException)
        {
            // it closed between listing and stalling
        }
    }

    public async Task HealAsync(CancellationToken cancellationToken)
    {
        if (proxies is null || proxy is null || Connection is not { } id)
        {
            return;
        }

        if (Lasted is null)
        {
            Lasted = time.GetElapsedTime(_appliedAt);
            var connections = await proxies.GetConnectionsAsync(proxy, cancellationToken);
            if (connections.FirstOrDefault(c => c.Id == id) is { } stalled)
            {
                BytesNotRead = stalled.Held.Downstream + stalled.Unread.Downstream;
                BytesUnread = stalled.Unread.Downstream;
            }
            else
            {
                ClosedBeforeHeal = true;
            }
        }

        await new ConnectionToxicFault(proxies, proxy, id, Toxic.Stall() with { Name = ToxicName }).HealAsync(cancellationToken);
    }
}
