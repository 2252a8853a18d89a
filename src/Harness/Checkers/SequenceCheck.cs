using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>Per-user ordering: nonmonotonic, skip, inconsistent-seq and order-inversion.</summary>
public sealed class SequenceCheck : ICheck
{
    /// <inheritdoc/>
    public string Name => "ordering";

    /// <inheritdoc/>
    public CheckResult Check(IReadOnlyList<HistoryEvent> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var result = new CheckResultBuilder();

        // 1. Every (user, id) ↔ seq claim: send ok seq maps, deliveries, drops and syncs. The first claim wins;
        //    a different claim later is inconsistent-seq, reported once per conflicting key.
        var seqOf = new Dictionary<(string User, string Id), (long Seq, long Index)>();
        var idOf = new Dictionary<(string User, long Seq), (string Id, long Index)>();
        var inconsistent = new HashSet<(string User, string Id)>();
        var flaggedSeqs = new HashSet<(string User, long Seq)>();

        void Claim(string user, string id, long seq, long index)
        {
            if (seqOf.TryGetValue((user, id), out var known))
            {
                if (known.Seq != seq && inconsistent.Add((user, id)))
                {
                    result.Add(AnomalyNames.InconsistentSeq, () => new AnomalyExample(
                        [known.Index, index], $"{id} carried seq {known.Seq} and seq {seq} for {user}"));
                }
            }
            else
            {
                seqOf[(user, id)] = (seq, index);
            }

            if (idOf.TryGetValue((user, seq), out var owner))
            {
                if (!string.Equals(owner.Id, id, StringComparison.Ordinal) && flaggedSeqs.Add((user, seq)))
                {
                    inconsistent.Add((user, id));
                    inconsistent.Add((user, owner.Id));
                    result.Add(AnomalyNames.InconsistentSeq, () => new AnomalyExample(
                        [owner.Index, index], $"{user}'s seq {seq} carried {owner.Id} and {id}"));
                }
            }
            else
            {
                idOf[(user, seq)] = (id, index);
            }
        }

        // 2. Live delivery order per device.
        var devices = new Dictionary<DeviceKey, DeviceOrder>();
        foreach (var e in history)
        {
            switch (e.Op)
            {
                case SendValue send when e.Type == HistoryEventType.Ok && send.Seq is not null:
                    foreach (var (user, seq) in send.Seq)
                    {
                        Claim(user, send.Id, seq, e.Index);
                    }

                    break;
                case DeliverValue d:
                    Claim(d.User, d.Id, d.Seq, e.Index);
                    if (e.F == HistoryOps.Deliver)
                    {
                        var key = new DeviceKey(d.User, d.Device);
                        if (!devices.TryGetValue(key, out var order))
                        {
                            devices[key] = order = new DeviceOrder();
                        }

                        Observe(order, key, d, e.Index);
                    }

                    break;
                case SyncValue s when e.Type == HistoryEventType.Ok:
                    foreach (var item in s.Items)
                    {
                        Claim(s.User, item.Id, item.Seq, e.Index);
                    }

                    break;
            }
        }

        void Observe(DeviceOrder order, DeviceKey key, DeliverValue d, long index)
        {
            if (!order.Delivered.Add(d.Id))
            {
                return; // a repeat of an id already delivered is a duplicate, not an ordering anomaly
            }

            if (order.MaxSeq is { } max)
            {
                if (d.Seq <= max.Seq)
                {
                    result.Add(AnomalyNames.Nonmonotonic, () => new AnomalyExample(
                        [max.Index, index], $"{key} received seq {d.Seq} ({d.Id}) after seq {max.Seq}"));
                    return;
                }

                if (d.Seq > max.Seq + 1)
                {
                    result.Add(AnomalyNames.Skip, () => new AnomalyExample(
                        [max.Index, index], $"{key} received seq {d.Seq} right after seq {max.Seq}: {Gap(max.Seq + 1, d.Seq - 1)} never delivered before it"));
                }
            }
            else if (d.Seq > 1)
            {
                result.Add(AnomalyNames.Skip, () => new AnomalyExample(
                    [index], $"{key}'s first delivery is seq {d.Seq}: {Gap(1, d.Seq - 1)} never delivered before it"));
            }

            order.MaxSeq = (d.Seq, index);
        }

        // 3. Order inversion: walk sends in history order, remembering per user the highest seq among sends that
        //    completed ok so far; a send invoked later must get a higher seq. Inconsistent keys are left out
        //    (already reported) so that one bad claim is not reported twice.
        var sends = SendTable.Build(history);
        var okAt = new Dictionary<long, SendRecord>();
        var invokedAt = new Dictionary<long, SendRecord>();
        foreach (var send in sends.All)
        {
            if (send.OkIndex >= 0)
            {
                okAt[send.OkIndex] = send;
            }

            if (send.FirstInvokeIndex >= 0)
            {
                invokedAt[send.FirstInvokeIndex] = send;
            }
        }

        var highest = new Dictionary<string, (long Seq, SendRecord Send)>(StringComparer.Ordinal);
        foreach (var e in history)
        {
            if (e.Op is not SendValue)
            {
                continue;
            }

            if (invokedAt.TryGetValue(e.Index, out var b))
            {
                foreach (var user in b.To)
                {
                    if (highest.TryGetValue(user, out var a) && TrySeq(user, b.Id, out var seqB) && seqB < a.Seq)
                    {
                        result.Add(AnomalyNames.OrderInversion, () => new AnomalyExample(
                            [a.Send.OkIndex, b.FirstInvokeIndex],
                            $"{a.Send.Id} to {user} completed (seq {a.Seq}) before {b.Id} was invoked, yet {b.Id} got seq {seqB}"));
                    }
                }
            }

            if (okAt.TryGetValue(e.Index, out var done))
            {
                foreach (var user in done.To)
                {
                    if (TrySeq(user, done.Id, out var seq) && (!highest.TryGetValue(user, out var current) || seq > current.Seq))
                    {
                        highest[user] = (seq, done);
                    }
                }
            }
        }

        result.Count("devices-ordered", devices.Count);
        result.Count("seq-claims", seqOf.Count);
        return result.Build();

        bool TrySeq(string user, string id, out long seq)
        {
            if (!inconsistent.Contains((user, id)) && seqOf.TryGetValue((user, id), out var claim))
            {
                seq = claim.Seq;
                return true;
            }

            seq = 0;
            return false;
        }
    }

    private static string Gap(long from, long to) => from == to ? $"seq {from} was" : $"seqs {from}..{to} were";

    private sealed class DeviceOrder
    {
        public HashSet<string> Delivered { get; } = new(StringComparer.Ordinal);

        public (long Seq, long Index)? MaxSeq { get; set; }
    }
}
