using System.Collections.Concurrent;
using Chaos.Reference.Faults;
using Chaos.Reference.Hosting;
using Chaos.Reference.Messaging;
using Chaos.Reference.Observability;
using Chaos.Reference.Storage;
using Microsoft.AspNetCore.SignalR;

namespace Chaos.Reference.Gateway;

/// <summary>This gateway instance's device connections, by connection id and by user (also the presence view).</summary>
internal sealed class ConnectionRegistry(Store store, IHubContext<ChatHub> hub, Failpoints failpoints, SystemMetrics metrics, TimeProvider time, SystemOptions options,
    ILogger<ConnectionRegistry> logger)
{
    private readonly ConcurrentDictionary<string, DevicePump> _byConnection = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, DevicePump>> _byUser = new(StringComparer.Ordinal);

    /// <summary>A new connection gets its pump; <paramref name="abort"/> (the hub's <c>Context.Abort</c>) lets the pump close a stalled reader.</summary>
    public void Add(string connectionId, string user, string device, Action abort)
    {
        var pump = new DevicePump(new DevicePump.Connection(connectionId, user, device, abort), store, hub, failpoints, metrics, time, options, logger);
        _byConnection[connectionId] = pump;
        _byUser.GetOrAdd(user, _ => new(StringComparer.Ordinal))[connectionId] = pump;
        metrics.OpenConnections.Add(1);
    }

    public async Task RemoveAsync(string connectionId)
    {
        if (_byConnection.TryRemove(connectionId, out var pump))
        {
            if (_byUser.TryGetValue(pump.User, out var set))
            {
                set.TryRemove(connectionId, out _);
            }

            metrics.OpenConnections.Add(-1);
            await pump.DisposeAsync();
        }
    }

    public void Resume(string connectionId, long lastSeq)
    {
        if (_byConnection.TryGetValue(connectionId, out var pump))
        {
            pump.Resume(lastSeq);
        }
    }

    public void Ack(string connectionId, long seq)
    {
        if (_byConnection.TryGetValue(connectionId, out var pump))
        {
            pump.Acked(seq);
            metrics.Acks.Add(1);
        }
    }

    public void Dispatch(DeliveryRecord delivery)
    {
        if (_byUser.TryGetValue(delivery.User, out var set))
        {
            foreach (var pump in set.Values)
            {
                pump.Offer(delivery);
            }
        }
    }

    public IReadOnlyList<object> Presence() =>
        [.. _byConnection.Values.Select(p => new { user = p.User, device = p.Device, connectionId = p.ConnectionId, connectedAt = p.ConnectedAt, lastPushed = p.LastPushed, lastAcked = p.LastAcked })];
}
