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
        var users = new Dictionary<string, UserSeqs>(StringComparer.Ordinal);
        UserSeqs UserOf(string user)
        {
            if (!users.TryGetValue(user, out var seqs))
            {
                users[user] = seqs = new UserSeqs();
            }

            return seqs;
        }

        void Claim(string user, UserSeqs seqs, string id, long seq, long index)
        {
            if (!seqs.SeqOf.TryAdd(id, (seq, index)))
            {
                var known = seqs.SeqOf[id];
                if (known.Seq != seq && seqs.Inconsistent.Add(id))
                {
                    result.Add(AnomalyNames.InconsistentSeq, () => new AnomalyExample(
                        [known.Index, index], $"{id} carried seq {known.Seq} and seq {seq} for {user}"));
                }
            }

            if (!seqs.IdOf.TryAdd(seq, (id, index)))
            {
                var owner = seqs.IdOf[seq];
                if (!string.Equals(owner.Id, id, StringComparison.Ordinal) && seqs.FlaggedSeqs.Add(seq))
                {
                    seqs.Inconsistent.Add(id);
                    seqs.Inconsistent.Add(owner.Id);
                    result.Add(AnomalyNames.InconsistentSeq, () => new AnomalyExample(
                        [owner.Index, index], $"{user}'s seq {seq} carried {owner.Id} and {id}"));
                }
            }
        }

        // 2. Live delivery order per device.
        var devices = new DeviceMap<DeviceOrder>(_ => new DeviceOrder());
        foreach (var e in history)
        {
            switch (e.Op)
            {
                case SendValue send when e.Type == HistoryEventType.Ok && send.Seq is not null:
                    foreach (var (user, seq) in send.Seq)
                    {
                        Claim(user, UserOf(user), send.Id, seq, e.Index);
                    }

                    break;
                case DeliverValue d:
                    Claim(d.User, UserOf(d.User), d.Id, d.Seq, e.Index);
                    if (e.F == HistoryOps.Deliver)
                    {
                        Observe(devices.Get(d.User, d.Device), new DeviceKey(d.User, d.Device), d, e.Index);
                    }

                    break;
                case SyncValue s when e.Type == HistoryEventType.Ok:
                    var synced = UserOf(s.User);
                    foreach (var item in s.Items)
                    {
                        Claim(s.User, synced, item.Id, item.Seq, e.Index);
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
        var sends = SendTable.For(history);
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
        result.Count("seq-claims", users.Values.Sum(u => (long)u.SeqOf.Count));
        return result.Build();

        bool TrySeq(string user, string id, out long seq)
        {
            if (users.TryGetValue(user, out var seqs) && !seqs.Inconsistent.Contains(id) && seqs.SeqOf.TryGetValue(id, out var claim))
            {
                seq = claim.Seq;
                return true;
            }

            seq = 0;
            return false;
        }
    }

    private static string Gap(long from, long to) => from == to ? $"seq {from} was" : $"seqs {from}..{to} were";

    private sealed class UserSeqs
    {
        public Dictionary<string, (long Seq, long Index)> SeqOf { get; } = new(StringComparer.Ordinal);

        public Dictionary<long, (string Id, long Index)> IdOf { get; } = [];

        public HashSet<string> Inconsistent { get; } = new(StringComparer.Ordinal);

        public HashSet<long> FlaggedSeqs { get; } = [];
    }

    private sealed class DeviceOrder
    {
        public HashSet<string> Delivered { get; } = new(StringComparer.Ordinal);

        public (long Seq, long Index)? MaxSeq { get; set; }
    }
}
