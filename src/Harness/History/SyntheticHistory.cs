namespace Chaos.Harness.History;

/// <summary>Generates a history of a correct system (every promise holds) from a seed: phases, a nemesis fault,
/// concurrent senders with ok / fail / info outcomes, fan-out to devices with dropped redeliveries, jobs with
/// jittered retries and dead letters, and a complete final drain. For property tests and the checker benchmark.</summary>
public static class SyntheticHistory
{
    private const long Ms = 1_000_000;

    /// <summary>Generates the history, events in index order.</summary>
    public static List<HistoryEvent> Generate(SyntheticHistoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var random = new Random(options.Seed);
        var pending = new List<(long Time, long Order, string Process, HistoryEventType Type, string F, OperationValue Op)>();
        var order = 0L;
        void Emit(long time, string process, HistoryEventType type, string f, OperationValue op) =>
            pending.Add((time, order++, process, type, f, op));

        var users = Enumerable.Range(1, options.Users).Select(i => $"u{i}").ToArray();
        var devices = users.SelectMany(u => Enumerable.Range(1, options.DevicesPerUser).Select(d => (User: u, Device: $"d{d}"))).ToArray();
        var accounts = Enumerable.Range(1, options.Accounts).Select(i => $"acct{i}").ToArray();
        var nextSeq = users.ToDictionary(u => u, _ => 0L);
        var inbox = users.ToDictionary(u => u, _ => new List<SyncItem>());
        var lastDelivery = devices.ToDictionary(d => d, _ => 0L);
        var balances = accounts.ToDictionary(a => a, _ => 1000m);
        var senderGeneration = new int[options.Senders];
        var senderFree = new long[options.Senders];
        var jobIds = new List<(SubmitValue Submit, long Time)>();
        var devicesOf = devices.GroupBy(d => d.User).ToDictionary(g => g.Key, g => g.ToArray());
        var groupSize = Math.Min(options.GroupSize, users.Length);

        // Per send 2 events and one delivery per recipient device (a group send reaches groupSize users).
        var perSend = 2 + (options.DevicesPerUser * (1 + (options.GroupFraction * (groupSize - 1))));
        // Every device also appears four times whatever the length (its declaration, its connect's start and end, its final sync).
        var operations = Math.Max(10, (int)((options.TargetEvents - (4 * devices.Length)) / perSend));
        var runLength = operations * Ms; // steps average 1 ms
        var faultStart = runLength * 2 / 5;
        var faultEnd = runLength * 7 / 10;
        var faultScale = (double)runLength / (faultEnd - faultStart);

        foreach (var (user, device) in devices)
        {
            Emit(0, $"{user}/{device}", HistoryEventType.Ok, HistoryOps.Device, new DeviceValue(user, device));
            Emit(0, $"{user}/{device}", HistoryEventType.Invoke, HistoryOps.Connect, new ConnectValue(user, device));
            Emit(0, $"{user}/{device}", HistoryEventType.Ok, HistoryOps.Connect, new ConnectValue(user, device));
        }

        foreach (var account in accounts)
        {
            Emit(0, "harness", HistoryEventType.Ok, HistoryOps.Balance, new BalanceValue(account, balances[account]));
        }

        Emit(0, "harness", HistoryEventType.Info, HistoryOps.Phase, new PhaseValue(RunPhases.Steady));
        Emit(faultStart, "harness", HistoryEventType.Info, HistoryOps.Phase, new PhaseValue(RunPhases.Fault));
        Emit(faultStart + 1, HistoryOps.NemesisProcess, HistoryEventType.Info, HistoryOps.Fault, new NemesisValue("kill", "notifier-1", "f1"));
        Emit(faultEnd, HistoryOps.NemesisProcess, HistoryEventType.Info, HistoryOps.Heal, new NemesisValue("kill", "notifier-1", "f1"));
        Emit(faultEnd + 1, "harness", HistoryEventType.Info, HistoryOps.Phase, new PhaseValue(RunPhases.Recovery));

        var now = Ms;
        var messages = 0;
        for (var op = 0; op < operations; op++)
        {
            now += random.Next(1, 4) * Ms / 2;
            // Invoke times grow with op order (the server assigns seqs in that order): take a free sender, or wait for one.
            var free = Enumerable.Range(0, options.Senders).Where(i => senderFree[i] <= now).ToArray();
            if (free.Length == 0)
            {
                now = senderFree.Min();
                free = [Array.IndexOf(senderFree, now)];
            }

            var sender = free[random.Next(free.Length)];
            var invokeTime = now;
            var process = $"sender-{sender}.{senderGeneration[sender]}";
            var inFault = invokeTime >= faultStart && invokeTime < faultEnd;
            if (random.NextDouble() < options.JobFraction)
            {
                var id = $"job-{op}";
                var account = accounts[random.Next(accounts.Length)];
                var txn = $"txn-{op}";
                var submit = new SubmitValue(id, txn, account, random.Next(1, 100));
                Emit(invokeTime, process, HistoryEventType.Invoke, HistoryOps.Submit, submit);
                Emit(invokeTime + Ms, process, HistoryEventType.Ok, HistoryOps.Submit, submit);
                senderFree[sender] = invokeTime + Ms + 1;
                jobIds.Add((submit, invokeTime + Ms));
                continue;
            }

            var recipients = random.NextDouble() < options.GroupFraction ? PickDistinct(random, users, groupSize) : [users[random.Next(users.Length)]];
            var messageId = $"m{messages++}";
            var intended = invokeTime - random.Next(0, 2) * Ms / 10;
            Emit(invokeTime, process, HistoryEventType.Invoke, HistoryOps.Send, new SendValue(messageId, recipients, Intended: intended));
            var roll = random.NextDouble();
            var completion = invokeTime + (inFault ? random.Next(2, 40) : random.Next(1, 4)) * Ms;
            // a correct system turns nothing away while no fault is active (the availability rule): the fault phase's
            // sends fail or end info at the rates scaled to the whole run, so the run's totals stay as asked
            var outcome = !inFault ? HistoryEventType.Ok
                : roll < options.FailFraction * faultScale ? HistoryEventType.Fail
                : roll < (options.FailFraction + options.InfoFraction) * faultScale ? HistoryEventType.Info
                : HistoryEventType.Ok;
            var persisted = outcome == HistoryEventType.Ok || (outcome == HistoryEventType.Info && random.Next(2) == 0);
            Dictionary<string, long>? seqs = null;
            if (persisted)
            {
                seqs = [];
                foreach (var user in recipients)
                {
                    var seq = ++nextSeq[user];
                    seqs[user] = seq;
                    inbox[user].Add(new SyncItem(messageId, seq));
                    foreach (var device in devicesOf[user])
                    {
                        var at = Math.Max(lastDelivery[device] + 1, completion + random.Next(1, inFault ? 200 : 20) * Ms);
                        lastDelivery[device] = at;
                        Emit(at, $"{user}/{device.Device}", HistoryEventType.Ok, HistoryOps.Deliver, new DeliverValue(messageId, user, device.Device, seq));
                        if (random.NextDouble() < options.DropFraction)
                        {
                            Emit(at + 1, $"{user}/{device.Device}", HistoryEventType.Ok, HistoryOps.Drop, new DeliverValue(messageId, user, device.Device, seq));
                        }
                    }
                }
            }

            Emit(completion, process, outcome, HistoryOps.Send,
                outcome == HistoryEventType.Ok ? new SendValue(messageId, recipients, Seq: seqs) : new SendValue(messageId, recipients));
            senderFree[sender] = completion + 1;
            if (outcome == HistoryEventType.Info)
            {
                senderGeneration[sender]++; // a process whose operation ended info continues under a new name
            }
        }

        // Jobs: attempts with jittered exponential backoff (base 10 ms), a few dead letters, then their final state.
        var end = Math.Max(now, lastDelivery.Values.DefaultIfEmpty(0).Max()) + 10 * Ms;
        foreach (var (submit, acknowledged) in jobIds)
        {
            var id = submit.Id;
            var attempt = 1;
            var at = acknowledged + random.Next(1, 5) * Ms;
            var failures = random.NextDouble() < 0.3 ? random.Next(1, 4) : 0;
            var poison = random.NextDouble() < 0.05;
            while (true)
            {
                var last = poison || attempt > failures;
                Emit(at, "jobs", HistoryEventType.Ok, HistoryOps.Attempt, new AttemptValue(id, attempt, last ? (poison ? "permanent" : "ok") : "transient"));
                if (!poison)
                {
                    // what the harness's downstream provider saw of this attempt (a poison job is refused before any call)
                    Emit(at, HistoryOps.DownstreamProcess, HistoryEventType.Ok, HistoryOps.Call,
                        new CallValue($"c{id}.{attempt}", id, last ? CallValue.Ok : CallValue.Fail, attempt));
                }
                if (last)
                {
                    break;
                }

                var delay = 10.0 * Math.Pow(2, attempt - 1) * (0.5 + (random.NextDouble() * 0.5));
                at += (long)Math.Ceiling(delay * Ms);
                attempt++;
            }

            end = Math.Max(end, at + Ms);
            if (poison)
            {
                Emit(at + Ms, "jobs", HistoryEventType.Ok, HistoryOps.JobState, new JobStateValue(id, JobStates.DeadLettered, "poison payload: amount rejected", attempt));
            }
            else
            {
                balances[submit.Account!] += submit.Amount!.Value;
                Emit(at + Ms, "jobs", HistoryEventType.Ok, HistoryOps.JobState, new JobStateValue(id, JobStates.Done, Attempts: attempt));
            }
        }

        // Final drain: every device resyncs from seq 0; balances are read.
        end += 10 * Ms;
        Emit(end, "harness", HistoryEventType.Info, HistoryOps.Phase, new PhaseValue(RunPhases.Drain));
        Emit(end + 1, "harness", HistoryEventType.Invoke, HistoryOps.Drain, new MarkerValue());
        var t = end + 2;
        foreach (var (user, device) in devices)
        {
            Emit(t++, $"{user}/{device}", HistoryEventType.Ok, HistoryOps.Sync, new SyncValue(user, device, inbox[user]));
        }

        foreach (var account in accounts)
        {
            Emit(t++, "harness", HistoryEventType.Ok, HistoryOps.Balance, new BalanceValue(account, balances[account]));
        }

        Emit(t, "harness", HistoryEventType.Ok, HistoryOps.Drain, new MarkerValue());

        pending.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Order.CompareTo(b.Order));
        var events = new List<HistoryEvent>(pending.Count);
        foreach (var p in pending)
        {
            events.Add(new HistoryEvent(events.Count, p.Time, p.Process, p.Type, p.F, p.Op));
        }

        return events;
    }

    /// <summary><paramref name="count"/> distinct items (count ≤ items): Floyd's sampling, O(count) whatever the population.</summary>
    private static string[] PickDistinct(Random random, string[] items, int count)
    {
        var chosen = new HashSet<int>();
        var picked = new string[count];
        for (int j = items.Length - count, k = 0; j < items.Length; j++, k++)
        {
            var t = random.Next(j + 1);
            var index = chosen.Add(t) ? t : j;
            chosen.Add(index);
            picked[k] = items[index];
        }

        return picked;
    }
}
