using Chaos.Harness.Checkers;
using Chaos.Harness.History;

namespace Chaos.Harness.Tests.Checkers;

/// <summary>Plants exactly one anomaly of a class into a valid generated history (null when this history offers no
/// place for it). Each plant is built so that, by the rules, it produces that class and no other.</summary>
internal static class AnomalyPlanter
{
    /// <summary>A history with the anomaly planted and how many instances of it the rules then count.</summary>
    public sealed record Planted(List<HistoryEvent> History, long Count);

    public static Planted? Plant(string anomaly, List<HistoryEvent> valid, Random random) => anomaly switch
    {
        AnomalyNames.Lost => Once(RemoveLastMessageAtOneDevice(valid, random, keepInSync: false)),
        AnomalyNames.Unseen => Once(RemoveLastMessageAtOneDevice(valid, random, keepInSync: true)),
        AnomalyNames.Forgotten => Once(ForgetInOneSync(valid, random)),
        AnomalyNames.Duplicate => Once(DuplicateADelivery(valid, random)),
        AnomalyNames.Unexpected => Once(DeliverAtTheEnd(valid, random, _ => "ghost-1")),
        AnomalyNames.AbortedRead => Once(DeliverAtTheEnd(valid, random, FailedSendTo)),
        AnomalyNames.Nonmonotonic => Once(SwapTwoDeliveries(valid, random)),
        AnomalyNames.Skip => ShiftSeqs(valid, random),
        AnomalyNames.InconsistentSeq => Once(CorruptAnAckSeq(valid, random)),
        AnomalyNames.OrderInversion => Once(InvertTwoSends(valid, random)),
        AnomalyNames.DoubleEffect => Once(InflateABalance(valid, random)),
        AnomalyNames.LostJob => Once(AddJob(valid, state: null)),
        AnomalyNames.DlqWithoutReason => Once(AddJob(valid, state: JobStates.DeadLettered)),
        AnomalyNames.ExhaustedNotDeadLettered => Once(AddCalls(valid, "planted-exhausted", [1, 2, 3, 4, 5, 6], lastOk: false)),
        AnomalyNames.DeadLetteredEarly => Once(DeadLetterEarly(valid)),
        AnomalyNames.DlqRecordMissing => Once(DeadLetterWithoutRecord(valid)),
        AnomalyNames.RetryStorm => Once(SynchronisedRetries(valid, random)),
        AnomalyNames.RetryLate => Once(AddCalls(valid, "planted-late", [1, 2], [CallValue.Fail, CallValue.Ok], spacing: 5_000_000_000L)),
        AnomalyNames.RetryBudgetExceeded => Once(AddCalls(valid, "planted-over-budget", [1, 2, 3, 4, 5, 6, 7], lastOk: true)),
        AnomalyNames.AttemptMiscount => Once(AddCalls(valid, "planted-miscount", [1, 2, 1], lastOk: true)),
        AnomalyNames.RetryAfterRefusal => Once(AddCalls(valid, "planted-after-refusal", [1, 2], [CallValue.Refused, CallValue.Ok])),
        AnomalyNames.ReconnectStorm => Once(ReconnectStorm(valid, random)),
        AnomalyNames.ReconnectLate => Once(ReconnectLate(valid, random)),
        AnomalyNames.LatencySlo => Once(SlowSend(valid, random)),
        AnomalyNames.Unavailable => Once(RefusedChatSends(valid, random)),
        AnomalyNames.NodeDown => Once(NodeDownAfterTheDrain(valid, random)),
        _ => throw new ArgumentOutOfRangeException(nameof(anomaly), anomaly, "no planter"),
    };

    private static Planted? Once(List<HistoryEvent>? history) => history is null ? null : new Planted(history, 1);

    private static HistoryEvent With(HistoryEvent e, OperationValue op) => new(e.Index, e.Time, e.Process, e.Type, e.F, op);

    private static List<HistoryEvent> Reindex(List<HistoryEvent> events) =>
        [.. events.Select((e, i) => new HistoryEvent(i, e.Time, e.Process, e.Type, e.F, e.Op))];

    private static T Pick<T>(IReadOnlyList<T> items, Random random) => items[random.Next(items.Count)];

    /// <summary>The last message of a user (so no later seq reveals a gap) disappears from one device.</summary>
    private static List<HistoryEvent>? RemoveLastMessageAtOneDevice(List<HistoryEvent> valid, Random random, bool keepInSync)
    {
        var lastPerUser = LastAcknowledgedDeliveryPerUser(valid);
        if (lastPerUser.Count == 0)
        {
            return null;
        }

        var victim = Pick(lastPerUser, random);
        var result = new List<HistoryEvent>();
        foreach (var e in valid)
        {
            if (e.Op is DeliverValue d && d.Id == victim.Id && d.User == victim.User && d.Device == victim.Device)
            {
                continue;
            }

            if (!keepInSync && e.AsSync() is { } s && s.User == victim.User && s.Device == victim.Device)
            {
                result.Add(With(e, s with { Items = [.. s.Items.Where(i => i.Id != victim.Id)] }));
                continue;
            }

            result.Add(e);
        }

        return Reindex(result);
    }

    /// <summary>Each user's highest-seq delivery whose send was acknowledged (no later seq of that user reveals its removal).</summary>
    private static List<DeliverValue> LastAcknowledgedDeliveryPerUser(List<HistoryEvent> valid)
    {
        var acknowledged = valid.Where(e => e.Type == HistoryEventType.Ok && e.AsSend() is not null).Select(e => e.AsSend()!.Id).ToHashSet();
        return [.. valid.Where(e => e.AsDeliver() is not null)
            .GroupBy(e => e.AsDeliver()!.User)
            .Select(g => g.MaxBy(e => e.AsDeliver()!.Seq)!.AsDeliver()!)
            .Where(d => acknowledged.Contains(d.Id))];
    }

    /// <summary>The last message of a user stays delivered at one device but leaves that device's final sync.</summary>
    private static List<HistoryEvent>? ForgetInOneSync(List<HistoryEvent> valid, Random random)
    {
        var lastPerUser = LastAcknowledgedDeliveryPerUser(valid);
        if (lastPerUser.Count == 0)
        {
            return null;
        }

        var victim = Pick(lastPerUser, random);
        return [.. valid.Select(e => e.AsSync() is { } s && s.User == victim.User && s.Device == victim.Device
            ? With(e, s with { Items = [.. s.Items.Where(i => i.Id != victim.Id)] })
            : e)];
    }

    private static List<HistoryEvent> DuplicateADelivery(List<HistoryEvent> valid, Random random)
    {
        var deliveries = valid.Where(e => e.AsDeliver() is not null).ToList();
        var chosen = Pick(deliveries, random);
        var copy = valid.ToList();
        copy.Insert((int)chosen.Index + 1, chosen);
        return Reindex(copy);
    }

    private static string? FailedSendTo(List<HistoryEvent> valid)
    {
        var failed = valid.Where(e => e.Type == HistoryEventType.Fail && e.AsSend() is not null).Select(e => e.AsSend()!).FirstOrDefault();
        return failed?.Id;
    }

    /// <summary>A delivery of <paramref name="idOf"/> after a device's last delivery, with the next seq (no gap).</summary>
    private static List<HistoryEvent>? DeliverAtTheEnd(List<HistoryEvent> valid, Random random, Func<List<HistoryEvent>, string?> idOf)
    {
        var id = idOf(valid);
        if (id is null)
        {
            return null;
        }

        var user = valid.Where(e => e.Op is SendValue s && s.Id == id).Select(e => e.AsSend()!.To).FirstOrDefault(t => t.Count > 0)?[0]
            ?? Pick(valid.Where(e => e.AsDevice() is not null).Select(e => e.AsDevice()!.User).Distinct().ToList(), random);
        var device = valid.First(e => e.AsDevice() is { } d && d.User == user).AsDevice()!.Device;
        var maxSeq = valid.Select(e => e.Op).OfType<DeliverValue>().Where(d => d.User == user).Select(d => d.Seq).DefaultIfEmpty(0).Max();
        var deviceDeliveries = valid.Where(e => e.AsDeliver() is { } d && d.User == user && d.Device == device).ToList();
        var after = deviceDeliveries.Count > 0 ? deviceDeliveries[^1] : valid.First(e => e.AsDevice() is { } d && d.User == user && d.Device == device);
        var copy = valid.ToList();
        copy.Insert((int)after.Index + 1, new HistoryEvent(0, after.Time, $"{user}/{device}", HistoryEventType.Ok, HistoryOps.Deliver,
            new DeliverValue(id, user, device, maxSeq + 1)));
        return Reindex(copy);
    }

    /// <summary>Two consecutive deliveries of one device arrive in the opposite order.</summary>
    private static List<HistoryEvent> SwapTwoDeliveries(List<HistoryEvent> valid, Random random)
    {
        var devices = valid.Where(e => e.AsDeliver() is not null).GroupBy(e => (e.AsDeliver()!.User, e.AsDeliver()!.Device)).Where(g => g.Count() >= 2).ToList();
        var stream = Pick(devices, random).ToList();
        var at = random.Next(stream.Count - 1);
        var (first, second) = (stream[at], stream[at + 1]);
        var copy = valid.ToList();
        copy[(int)first.Index] = With(first, second.Op!);
        copy[(int)second.Index] = With(second, first.Op!);
        return copy;
    }

    /// <summary>Every seq of one user from n on moves up by one: every device of that user that received seq n or
    /// later sees a gap once (n+1 right after n−1) — one skip per such device.</summary>
    private static Planted ShiftSeqs(List<HistoryEvent> valid, Random random)
    {
        var user = Pick(valid.Where(e => e.AsDeliver() is not null).Select(e => e.AsDeliver()!.User).Distinct().ToList(), random);
        var max = valid.Select(e => e.Op).OfType<DeliverValue>().Where(d => d.User == user).Max(d => d.Seq);
        var from = random.NextInt64(1, max + 1);
        long Shift(long seq) => seq >= from ? seq + 1 : seq;
        var devices = valid.Where(e => e.F == HistoryOps.Deliver && e.AsDeliver() is { } d && d.User == user && d.Seq >= from)
            .Select(e => e.AsDeliver()!.Device).Distinct().LongCount();
        return new Planted([.. valid.Select(e => e.Op switch
        {
            DeliverValue d when d.User == user => With(e, d with { Seq = Shift(d.Seq) }),
            SyncValue s when s.User == user => With(e, s with { Items = [.. s.Items.Select(i => i with { Seq = Shift(i.Seq) })] }),
            SendValue s when s.Seq is not null && s.Seq.ContainsKey(user) => With(e, s with
            {
                Seq = s.Seq.ToDictionary(p => p.Key, p => p.Key == user ? Shift(p.Value) : p.Value),
            }),
            _ => e,
        })], devices);
    }

    private static List<HistoryEvent> CorruptAnAckSeq(List<HistoryEvent> valid, Random random)
    {
        var acks = valid.Where(e => e.Type == HistoryEventType.Ok && e.AsSend()?.Seq is { Count: > 0 }).ToList();
        var ack = Pick(acks, random);
        var send = ack.AsSend()!;
        var user = send.Seq!.Keys.First();
        var copy = valid.ToList();
        copy[(int)ack.Index] = With(ack, send with { Seq = send.Seq.ToDictionary(p => p.Key, p => p.Key == user ? p.Value + 1_000_000 : p.Value) });
        return copy;
    }

    /// <summary>A completed before B was invoked, and B's seq for one user is A's + 1; the two swap seqs for that user
    /// (ids swapped in that user's deliveries and syncs, so every device still sees 1, 2, 3, ...): one inversion.</summary>
    private static List<HistoryEvent>? InvertTwoSends(List<HistoryEvent> valid, Random random)
    {
        var invokes = valid.Where(e => e.Type == HistoryEventType.Invoke && e.AsSend() is not null).ToDictionary(e => e.AsSend()!.Id, e => e.Index);
        var acks = valid.Where(e => e.Type == HistoryEventType.Ok && e.AsSend()?.Seq is not null).ToList();
        var candidates = new List<(HistoryEvent A, HistoryEvent B, string User)>();
        foreach (var group in acks.SelectMany(a => a.AsSend()!.Seq!.Keys.Select(u => (User: u, Ack: a))).GroupBy(x => x.User))
        {
            var ordered = group.OrderBy(x => x.Ack.AsSend()!.Seq![group.Key]).ToList();
            for (var i = 0; i + 1 < ordered.Count; i++)
            {
                var (a, b) = (ordered[i].Ack, ordered[i + 1].Ack);

                // consecutive seqs only: a seq between them (an info send that was delivered) would be a second inversion
                if (a.Index < invokes[b.AsSend()!.Id] && b.AsSend()!.Seq![group.Key] == a.AsSend()!.Seq![group.Key] + 1)
                {
                    candidates.Add((a, b, group.Key));
                }
            }
        }

        if (candidates.Count == 0)
        {
            return null;
        }

        var (ackA, ackB, user) = Pick(candidates, random);
        string idA = ackA.AsSend()!.Id, idB = ackB.AsSend()!.Id;
        string Swap(string id) => id == idA ? idB : id == idB ? idA : id;
        return [.. valid.Select(e => e.Op switch
        {
            DeliverValue d when d.User == user && (d.Id == idA || d.Id == idB) => With(e, d with { Id = Swap(d.Id) }),
            SyncValue s when s.User == user => With(e, s with { Items = [.. s.Items.Select(i => i with { Id = Swap(i.Id) })] }),
            SendValue s when e.Index == ackA.Index || e.Index == ackB.Index => With(e, s with
            {
                Seq = s.Seq!.ToDictionary(p => p.Key, p => p.Key != user ? p.Value
                    : (e.Index == ackA.Index ? ackB : ackA).AsSend()!.Seq![user]),
            }),
            _ => e,
        })];
    }

    private static List<HistoryEvent>? InflateABalance(List<HistoryEvent> valid, Random random)
    {
        var done = valid.Where(e => e.AsJobState()?.State == JobStates.Done).Select(e => e.AsJobState()!.Id).ToHashSet();
        var accounts = valid.Where(e => e.Type == HistoryEventType.Ok && e.AsSubmit() is { } s && done.Contains(s.Id)).Select(e => e.AsSubmit()!.Account!).Distinct().ToList();
        if (accounts.Count == 0)
        {
            return null;
        }

        var account = Pick(accounts, random);
        var final = valid.Last(e => e.AsBalance()?.Account == account);
        var copy = valid.ToList();
        copy[(int)final.Index] = With(final, final.AsBalance()! with { Balance = final.AsBalance()!.Balance + 7 });
        return copy;
    }

    private static List<HistoryEvent> AddJob(List<HistoryEvent> valid, string? state)
    {
        var drain = valid.FindIndex(e => e.AsPhase()?.Name == RunPhases.Drain);
        var time = valid[drain].Time - 1;
        var submit = new SubmitValue("planted-job", "planted-txn", "acct1", 5);
        var copy = valid.ToList();
        var added = new List<HistoryEvent>
        {
            new(0, time, "planted", HistoryEventType.Invoke, HistoryOps.Submit, submit),
            new(0, time, "planted", HistoryEventType.Ok, HistoryOps.Submit, submit),
        };
        if (state is not null)
        {
            added.Add(new HistoryEvent(0, time, "jobs", HistoryEventType.Ok, HistoryOps.JobState, new JobStateValue("planted-job", state)));
        }

        copy.InsertRange(drain, added);
        return Reindex(copy);
    }

    /// <summary>A job acknowledged and reported dead-lettered (with a reason), then the drain's read of the dead-letter
    /// topic, which holds every other dead-lettered job's record but not this one's.</summary>
    private static List<HistoryEvent> DeadLetterWithoutRecord(List<HistoryEvent> valid)
    {
        var planted = AddJob(valid, state: null);
        var drain = planted.FindIndex(e => e.AsPhase()?.Name == RunPhases.Drain);
        var time = planted[drain].Time - 1;
        var recorded = planted.Where(e => e.AsJobState()?.State == JobStates.DeadLettered).Select(e => new DeadLetterRecord(e.AsJobState()!.Id, "read"));
        planted.InsertRange(drain,
        [
            new HistoryEvent(0, time, "jobs", HistoryEventType.Ok, HistoryOps.JobState, new JobStateValue("planted-job", JobStates.DeadLettered, "planted reason")),
            new HistoryEvent(0, time, "drain", HistoryEventType.Ok, HistoryOps.DeadLetters, new DeadLettersValue("jobs-dlq", [.. recorded])),
        ]);
        return Reindex(planted);
    }

    /// <summary>Two calls of a job, both failed with a status the caller may retry, then the job reported dead-lettered
    /// (with a reason and its two stamped attempts, its record on the dead-letter topic when the history reads one): given
    /// up before its budget of 6, with no fault near that could hide an attempt (the generator's only fault kills a notifier).</summary>
    private static List<HistoryEvent> DeadLetterEarly(List<HistoryEvent> valid)
    {
        var planted = AddCalls(valid, "planted-early", [1, 2], [CallValue.Fail, CallValue.Fail]);
        var drain = planted.FindIndex(e => e.AsPhase()?.Name == RunPhases.Drain);
        var time = planted[drain].Time - 1;
        planted.InsertRange(drain,
        [
            new HistoryEvent(0, time, "jobs", HistoryEventType.Ok, HistoryOps.Attempt, new AttemptValue("planted-early", 1, "transient")),
            new HistoryEvent(0, time, "jobs", HistoryEventType.Ok, HistoryOps.Attempt, new AttemptValue("planted-early", 2, "transient")),
            new HistoryEvent(0, time, "jobs", HistoryEventType.Ok, HistoryOps.JobState, new JobStateValue("planted-early", JobStates.DeadLettered, "planted reason")),
        ]);
        return Reindex([.. planted.Select(e => e.Op is DeadLettersValue read
            ? With(e, read with { Records = [.. read.Records, new DeadLetterRecord("planted-early", "read")] })
            : e)]);
    }

    /// <summary>One device's client beginning 12–16 connection attempts a millisecond apart, a second before the drain
    /// (a backoff that shrinks to nothing).</summary>
    private static List<HistoryEvent> ReconnectStorm(List<HistoryEvent> valid, Random random)
    {
        var device = Pick(valid.Where(e => e.AsDevice() is not null).Select(e => e.AsDevice()!).ToList(), random);
        var drain = valid.FindIndex(e => e.AsPhase()?.Name == RunPhases.Drain);
        var start = valid[drain].Time - 1_000_000_000;
        var copy = valid.ToList();
        copy.InsertRange(drain, Enumerable.Range(0, 12 + random.Next(5)).Select(i => new HistoryEvent(
            0, start + (i * 1_000_000L), $"{device.User}/{device.Device}", HistoryEventType.Invoke, HistoryOps.Connect, new ConnectValue(device.User, device.Device))));
        return Reindex(copy);
    }

    /// <summary>One device loses its connection 6 s before the drain and begins its first attempt 3 s later (a client
    /// with a 100 ms first pause, at most 1 s, is due within 600 ms), which connects.</summary>
    private static List<HistoryEvent> ReconnectLate(List<HistoryEvent> valid, Random random)
    {
        var device = Pick(valid.Where(e => e.AsDevice() is not null).Select(e => e.AsDevice()!).ToList(), random);
        var drain = valid.FindIndex(e => e.AsPhase()?.Name == RunPhases.Drain);
        var dropped = valid[drain].Time - 6_000_000_000;
        var process = $"{device.User}/{device.Device}";
        var copy = valid.ToList();
        copy.InsertRange(drain,
        [
            new HistoryEvent(0, dropped, process, HistoryEventType.Fail, HistoryOps.Connect, new ConnectValue(device.User, device.Device)),
            new HistoryEvent(0, dropped + 3_000_000_000, process, HistoryEventType.Invoke, HistoryOps.Connect, new ConnectValue(device.User, device.Device)),
            new HistoryEvent(0, dropped + 3_100_000_000, process, HistoryEventType.Ok, HistoryOps.Connect, new ConnectValue(device.User, device.Device)),
        ]);
        return Reindex(copy);
    }

    /// <summary>3–7 chat sends (the generator's sends have no conversation: notifications), each refused, just
    /// before the fault phase begins (an api whose chat route is gone, in steady state).</summary>
    private static List<HistoryEvent> RefusedChatSends(List<HistoryEvent> valid, Random random)
    {
        var fault = valid.FindIndex(e => e.AsPhase()?.Name == RunPhases.Fault);
        var time = valid[fault].Time - 1;
        var user = Pick(valid.Where(e => e.AsDevice() is not null).Select(e => e.AsDevice()!.User).ToList(), random);
        var copy = valid.ToList();
        copy.InsertRange(fault, Enumerable.Range(0, 3 + random.Next(5)).SelectMany(i => new[]
        {
            new HistoryEvent(0, time, $"planted-sender-{i}", HistoryEventType.Invoke, HistoryOps.Send, new SendValue($"planted-refused-{i}", [user], "c-planted")),
            new HistoryEvent(0, time, $"planted-sender-{i}", HistoryEventType.Fail, HistoryOps.Send, new SendValue($"planted-refused-{i}", [user], "c-planted")),
        }));
        return Reindex(copy);
    }

    /// <summary>A node found down once the drain is done (Runs/NodeRecovery), named at random.</summary>
    private static List<HistoryEvent> NodeDownAfterTheDrain(List<HistoryEvent> valid, Random random)
    {
        var copy = valid.ToList();
        var node = $"notifier-{1 + random.Next(3)}";
        copy.Add(new HistoryEvent(0, valid[^1].Time + 1, HistoryOps.NemesisProcess, HistoryEventType.Info, HistoryOps.NodeDown, new MarkerValue(node, "incarnation 2 exited with 134")));
        return Reindex(copy);
    }

    /// <summary>10–14 jobs, each failing once a second before the drain and retrying all in the same instant (as the
    /// downstream provider saw them: the checkers count observed calls when a history has them).</summary>
    private static List<HistoryEvent> SynchronisedRetries(List<HistoryEvent> valid, Random random)
    {
        var drain = valid.FindIndex(e => e.AsPhase()?.Name == RunPhases.Drain);
        var time = valid[drain].Time - 1;
        var copy = valid.ToList();
        var count = 10 + random.Next(5);
        copy.InsertRange(drain, Enumerable.Range(0, count).SelectMany(i => new[]
        {
            new HistoryEvent(0, time - 1_000_000_000, HistoryOps.DownstreamProcess, HistoryEventType.Ok, HistoryOps.Call, new CallValue($"storm-{i}.1", $"storm-{i}", CallValue.Fail, 1)),
            new HistoryEvent(0, time, HistoryOps.DownstreamProcess, HistoryEventType.Ok, HistoryOps.Call, new CallValue($"storm-{i}.2", $"storm-{i}", CallValue.Fail, 2)),
        }));
        return Reindex(copy);
    }

    /// <summary>Calls of a job the history knows nothing else of (no submit, no state), one second apart — far
    /// above the backoff's floor, within its longest delay plus the lateness tolerance — claiming <paramref name="claims"/>, all failed but the last when <paramref name="lastOk"/>.</summary>
    private static List<HistoryEvent> AddCalls(List<HistoryEvent> valid, string job, int[] claims, bool lastOk) =>
        AddCalls(valid, job, claims, [.. claims.Select((_, i) => lastOk && i == claims.Length - 1 ? CallValue.Ok : CallValue.Fail)]);

    /// <summary>Calls the provider received for <paramref name="job"/>, <paramref name="spacing"/> ns apart (a second:
    /// within a 10 ms policy's longest delay plus the 1 s tolerance), ending a spacing before the drain.</summary>
    private static List<HistoryEvent> AddCalls(List<HistoryEvent> valid, string job, int[] claims, string[] outcomes, long spacing = 1_000_000_000L)
    {
        var drain = valid.FindIndex(e => e.AsPhase()?.Name == RunPhases.Drain);
        var end = valid[drain].Time - 1;
        var copy = valid.ToList();
        copy.InsertRange(drain, claims.Select((claim, i) => new HistoryEvent(
            0, end - ((claims.Length - i) * spacing), HistoryOps.DownstreamProcess, HistoryEventType.Ok, HistoryOps.Call,
            new CallValue($"{job}.{i + 1}", job, outcomes[i], claim))));
        return Reindex(copy);
    }

    /// <summary>One send's intended start moves a minute earlier: its latency is far above the run's maximum.</summary>
    private static List<HistoryEvent> SlowSend(List<HistoryEvent> valid, Random random)
    {
        var delivered = valid.Select(e => e.AsDeliver()?.Id).Where(id => id is not null).ToHashSet();
        var invokes = valid.Where(e => e.Type == HistoryEventType.Invoke && e.AsSend() is { } s && delivered.Contains(s.Id)).ToList();
        var chosen = Pick(invokes, random);
        var copy = valid.ToList();
        copy[(int)chosen.Index] = With(chosen, chosen.AsSend()! with { Intended = chosen.Time - 60_000_000_000 });
        return copy;
    }
}
