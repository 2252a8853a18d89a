using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>No loss and no duplicates, per device: lost, unseen, forgotten, duplicate, unexpected, aborted-read and
/// (informational) recovered. Unknown when a device has no finished final sync, a drain did not finish, or the
/// broker truncated a log — loss is then not decided, the other anomalies still are.</summary>
public sealed class DeliveryCheck : ICheck
{
    /// <inheritdoc/>
    public string Name => "delivery";

    /// <inheritdoc/>
    public CheckResult Check(IReadOnlyList<HistoryEvent> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var result = new CheckResultBuilder();
        var sends = SendTable.For(history);
        var devices = new DeviceMap<DeviceState>(key => new DeviceState(key));
        var firstDelivery = new Dictionary<string, long>(StringComparer.Ordinal);
        var flagged = new HashSet<(string Id, DeviceKey Device)>();
        long deliveries = 0, drops = 0;

        DeviceState Device(string user, string device) => devices.Get(user, device);

        foreach (var e in history)
        {
            switch (e.Op)
            {
                case DeliverValue d when e.F == HistoryOps.Deliver:
                    deliveries++;
                    var state = Device(d.User, d.Device);
                    if (!state.Delivered.TryAdd(d.Id, e.Index))
                    {
                        state.Repeats ??= new Dictionary<string, List<long>>(StringComparer.Ordinal);
                        if (!state.Repeats.TryGetValue(d.Id, out var repeats))
                        {
                            state.Repeats[d.Id] = repeats = [state.Delivered[d.Id]];
                        }

                        repeats.Add(e.Index);
                    }

                    firstDelivery.TryAdd(d.Id, e.Index);
                    CheckOrigin(d.Id, state.Key, e.Index, "delivered");
                    break;
                case DeliverValue d when e.F == HistoryOps.Drop:
                    drops++;
                    Device(d.User, d.Device);
                    break;
                case DeviceValue d:
                    Device(d.User, d.Device);
                    break;
                case SyncValue s:
                    var synced = Device(s.User, s.Device);
                    if (e.Type == HistoryEventType.Ok)
                    {
                        // The last finished sync is the final one.
                        synced.SyncIndex = e.Index;
                        synced.Synced = new HashSet<string>(s.Items.Count, StringComparer.Ordinal);
                        foreach (var item in s.Items)
                        {
                            synced.Synced.Add(item.Id);
                            CheckOrigin(item.Id, synced.Key, e.Index, "in the final sync");
                        }
                    }
                    else if (e.Type != HistoryEventType.Invoke)
                    {
                        synced.FailedSyncIndex = e.Index;
                    }

                    break;
            }
        }

        // Duplicates: the same id at one device's app layer more than once. Drops are counted, not flagged.
        foreach (var state in devices.All)
        {
            foreach (var (id, indexes) in state.Repeats ?? [])
            {
                result.Add(AnomalyNames.Duplicate, () => new AnomalyExample(
                    Cap(indexes, sends.Find(id)?.FirstInvokeIndex),
                    $"{id} delivered {indexes.Count} times to {state.Key}"));
            }
        }

        var undecidable = RunMarkers.Undecidable(history, "inbox");
        foreach (var reason in undecidable)
        {
            result.Unknown(reason);
        }

        var unsynced = devices.All.Where(d => d.SyncIndex < 0).ToList();
        if (unsynced.Count > 0)
        {
            var example = unsynced[0];
            result.Unknown($"{unsynced.Count} device(s) have no finished final sync, e.g. {example.Key}" +
                (example.FailedSyncIndex >= 0 ? $" (sync ended {example.FailedSyncIndex})" : "") +
                ": loss is not decided for them");
        }

        long ok = 0, failed = 0, info = 0, recovered = 0;
        foreach (var send in sends.All)
        {
            switch (send.Outcome)
            {
                case SendOutcome.Ok:
                    ok++;
                    if (undecidable.Count == 0)
                    {
                        CheckAcknowledged(send);
                    }

                    break;
                case SendOutcome.Fail:
                    failed++;
                    break;
                default:
                    info++;
                    if (firstDelivery.TryGetValue(send.Id, out var delivered))
                    {
                        recovered++;
                        // a send that never completed has no outcome event to cite
                        result.Add(AnomalyNames.Recovered, () => new AnomalyExample(
                            send.LastOutcomeIndex >= 0 ? [send.FirstInvokeIndex, send.LastOutcomeIndex, delivered] : [send.FirstInvokeIndex, delivered],
                            $"{send.Id} ended {(send.LastOutcomeIndex >= 0 ? "info" : "without an outcome")} and was delivered"));
                    }

                    break;
            }
        }

        if (undecidable.Count == 0)
        {
            CheckRemembered();
        }

        result.Count("sends", sends.Count);
        result.Count("sends-ok", ok);
        result.Count("sends-fail", failed);
        result.Count("sends-info", info);
        result.Count("deliveries", deliveries);
        result.Count("redeliveries-dropped", drops);
        result.Count("devices", devices.Count);
        result.Count("devices-synced", devices.Count - unsynced.Count);
        return result.Build();

        void CheckAcknowledged(SendRecord send)
        {
            foreach (var user in send.To)
            {
                foreach (var device in devices.OfUser(user))
                {
                    if (device.SyncIndex < 0 || device.Delivered.ContainsKey(send.Id))
                    {
                        continue;
                    }

                    if (device.Synced!.Contains(send.Id))
                    {
                        result.Add(AnomalyNames.Unseen, () => new AnomalyExample(
                            [send.FirstInvokeIndex, send.OkIndex, device.SyncIndex],
                            $"{send.Id} acknowledged, in {device.Key}'s final sync, never delivered live"));
                    }
                    else
                    {
                        result.Add(AnomalyNames.Lost, () => new AnomalyExample(
                            [send.FirstInvokeIndex, send.OkIndex, device.SyncIndex],
                            $"{send.Id} acknowledged, never delivered to {device.Key} and absent from its final sync"));
                    }
                }
            }
        }

        // What a device was shown live must still be in its durable inbox: the final sync reads the whole inbox (from
        // seq 0), so an id delivered and absent was forgotten. Ids that are already unexpected or aborted reads (never
        // sent to it, or sent and failed) are those anomalies, not this one.
        void CheckRemembered()
        {
            foreach (var device in devices.All.Where(d => d.SyncIndex >= 0))
            {
                foreach (var (id, index) in device.Delivered)
                {
                    if (!device.Synced!.Contains(id) && !flagged.Contains((id, device.Key)))
                    {
                        var send = sends.Find(id);
                        result.Add(AnomalyNames.Forgotten, () => new AnomalyExample(
                            send is null ? [index, device.SyncIndex] : [send.FirstInvokeIndex, index, device.SyncIndex],
                            $"{id} delivered live to {device.Key} but absent from its final sync"));
                    }
                }
            }
        }

        void CheckOrigin(string id, DeviceKey device, long index, string how)
        {
            var send = sends.Find(id);
            if (send is null || (send.To.Count > 0 && !send.IsRecipient(device.User)))
            {
                if (flagged.Add((id, device)))
                {
                    result.Add(AnomalyNames.Unexpected, () => new AnomalyExample(
                        send is null ? [index] : [send.FirstInvokeIndex, index],
                        send is null ? $"{id} {how} at {device} but never sent" : $"{id} {how} at {device} but sent only to {string.Join(", ", send.To)}"));
                }
            }
            else if (send.Outcome == SendOutcome.Fail && flagged.Add((id, device)))
            {
                result.Add(AnomalyNames.AbortedRead, () => new AnomalyExample(
                    [send.FirstInvokeIndex, send.LastOutcomeIndex, index],
                    $"{id} {how} at {device} although its send failed"));
            }
        }
    }

    private static long[] Cap(List<long> indexes, long? first)
    {
        var events = new List<long>(Math.Min(indexes.Count, 20) + 1);
        if (first is >= 0)
        {
            events.Add(first.Value);
        }

        events.AddRange(indexes.Take(20));
        return [.. events];
    }

    private sealed class DeviceState(DeviceKey key)
    {
        public DeviceKey Key { get; } = key;

        /// <summary>Id → index of its first delivery.</summary>
        public Dictionary<string, long> Delivered { get; } = new(StringComparer.Ordinal);

        /// <summary>Ids delivered more than once → every delivery's index (rare: made only when it happens).</summary>
        public Dictionary<string, List<long>>? Repeats { get; set; }

        public long SyncIndex { get; set; } = -1;

        public long FailedSyncIndex { get; set; } = -1;

        public HashSet<string>? Synced { get; set; }
    }
}
