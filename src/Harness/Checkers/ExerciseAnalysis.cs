using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>
/// Whether a history exercised each promise: the observed events a promise needs before "held" means anything
/// (docs/checkers.md, "When a promise is exercised"). Counted from the history's events only — a send's <c>ok</c>, a
/// device's <c>sync</c>, a <c>deliver</c>, a <c>submit</c>'s <c>ok</c>, a <c>job-state</c>, a <c>balance</c> read, an
/// <c>attempt</c> — never from numbers the system reports about itself. One pass, linear in the history.
/// </summary>
internal static class ExerciseAnalysis
{
    public static List<(string Promise, bool Exercised, string Detail)> Analyze(IReadOnlyList<HistoryEvent> history, IReadOnlyList<LatencyThreshold> slos)
    {
        var usersWithDevice = new HashSet<string>(StringComparer.Ordinal);
        var usersSynced = new HashSet<string>(StringComparer.Ordinal);
        var firstIdAt = new DeviceMap<DeviceFirst>(_ => new DeviceFirst());
        long deliveries = 0, syncedItems = 0, devicesWithTwo = 0;

        var acknowledgedJobs = new HashSet<string>(StringComparer.Ordinal);
        var accountOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var accountsSubmitted = new HashSet<string>(StringComparer.Ordinal);
        var accountsReadAfter = new HashSet<string>(StringComparer.Ordinal);
        var jobsWithState = new HashSet<string>(StringComparer.Ordinal);
        var attemptsOf = new Dictionary<string, int>(StringComparer.Ordinal);
        long attempts = 0, retriedJobs = 0;

        foreach (var e in history)
        {
            switch (e.Op)
            {
                case DeliverValue d:
                    usersWithDevice.Add(d.User);
                    if (e.F == HistoryOps.Deliver)
                    {
                        deliveries++;
                        var first = firstIdAt.Get(d.User, d.Device);
                        if (first.Id is null)
                        {
                            first.Id = d.Id;
                        }
                        else if (!first.Two && !string.Equals(first.Id, d.Id, StringComparison.Ordinal))
                        {
                            first.Two = true;
                            devicesWithTwo++;
                        }
                    }

                    break;
                case DeviceValue d:
                    usersWithDevice.Add(d.User);
                    break;
                case SyncValue s:
                    usersWithDevice.Add(s.User);
                    if (e.Type == HistoryEventType.Ok)
                    {
                        usersSynced.Add(s.User);
                        syncedItems += s.Items.Count;
                    }

                    break;
                case SubmitValue submit:
                    if (submit.Account is { } account)
                    {
                        accountOf.TryAdd(submit.Id, account);
                        accountsSubmitted.Add(account);
                    }

                    if (e.Type == HistoryEventType.Ok)
                    {
                        acknowledgedJobs.Add(submit.Id);
                    }

                    break;
                case JobStateValue state:
                    jobsWithState.Add(state.Id);
                    break;
                case BalanceValue balance when e.Type == HistoryEventType.Ok:
                    // as the jobs checker reads it: a read after the account's first submit is a final balance
                    if (accountsSubmitted.Contains(balance.Account))
                    {
                        accountsReadAfter.Add(balance.Account);
                    }

                    break;
                case AttemptValue attempt when e.Type != HistoryEventType.Fail:
                    attempts++;
                    var made = attemptsOf[attempt.Id] = attemptsOf.GetValueOrDefault(attempt.Id) + 1;
                    if (made == 2)
                    {
                        retriedJobs++;
                    }

                    break;
            }
        }

        // Sends: acknowledged ones (any attempt ok), their recipients, and the seqs their ok named per recipient.
        long acknowledged = 0, toUserWithDevice = 0, toUserSynced = 0;
        var seqdSendsOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var send in SendTable.For(history).All)
        {
            if (send.Outcome != SendOutcome.Ok)
            {
                continue;
            }

            acknowledged++;
            if (send.To.Any(usersWithDevice.Contains))
            {
                toUserWithDevice++;
            }

            if (send.To.Any(usersSynced.Contains))
            {
                toUserSynced++;
            }

            foreach (var user in send.Seq?.Keys ?? [])
            {
                seqdSendsOf[user] = seqdSendsOf.GetValueOrDefault(user) + 1;
            }
        }

        var usersWithTwoSends = seqdSendsOf.Values.LongCount(n => n >= 2);
        var jobsWithStateRead = acknowledgedJobs.LongCount(jobsWithState.Contains);
        var accountsJudged = acknowledgedJobs.Select(id => accountOf.GetValueOrDefault(id)).OfType<string>()
            .Distinct(StringComparer.Ordinal).LongCount(accountsReadAfter.Contains);

        return
        [
            (PromiseNames.NoLoss, toUserSynced > 0,
                toUserSynced > 0 ? $"{toUserSynced} acknowledged send(s) to users with a device that finished its final sync"
                : acknowledged == 0 ? "no send was acknowledged"
                : toUserWithDevice == 0 ? $"none of the {acknowledged} acknowledged send(s) was addressed to a user with a device"
                : $"no device of a recipient of the {acknowledged} acknowledged send(s) finished a final sync"),
            (PromiseNames.NoDuplicates, deliveries > 0, deliveries > 0 ? $"{deliveries} deliveries" : "nothing was delivered"),
            (PromiseNames.OnlyWhatWasSent, deliveries + syncedItems > 0,
                deliveries + syncedItems > 0 ? $"{deliveries} deliveries and {syncedItems} synced item(s)" : "nothing was delivered or synced"),
            (PromiseNames.PerUserOrdering, devicesWithTwo + usersWithTwoSends > 0,
                devicesWithTwo + usersWithTwoSends > 0
                    ? $"{devicesWithTwo} device(s) received two or more messages; {usersWithTwoSends} user(s) had two or more acknowledged sends with sequence numbers"
                    : "no device received two messages and no user had two acknowledged sends with sequence numbers"),
            (PromiseNames.JobsExactlyOnce, acknowledgedJobs.Count > 0 && jobsWithStateRead > 0 && accountsJudged > 0,
                acknowledgedJobs.Count == 0 ? "no job was acknowledged"
                : jobsWithStateRead == 0 ? $"the state of none of the {acknowledgedJobs.Count} acknowledged job(s) was read"
                : accountsJudged == 0 ? $"no balance of an account credited by the {acknowledgedJobs.Count} acknowledged job(s) was read after they were submitted"
                : $"{acknowledgedJobs.Count} acknowledged job(s), {jobsWithStateRead} with a state read, {accountsJudged} account balance(s) read after their jobs"),
            (PromiseNames.RetriesWithinBackoff, retriedJobs > 0,
                retriedJobs > 0 ? $"{retriedJobs} job(s) attempted more than once ({attempts} attempts)"
                : attempts == 0 ? "no job attempt was recorded"
                : $"no job was attempted more than once ({attempts} attempt(s) of {attemptsOf.Count} job(s)): no retry was observed"),
            Latency(history, slos),
            Availability(history),
        ];
    }

    private static (string, bool, string) Latency(IReadOnlyList<HistoryEvent> history, IReadOnlyList<LatencyThreshold> slos)
    {
        if (slos.Count == 0)
        {
            return (PromiseNames.LatencySlo, false, "no latency SLO was set");
        }

        var analysis = LatencyAnalysis.For(history);
        foreach (var slo in slos)
        {
            foreach (var phase in LatencyCheck.PhasesOf(slo, analysis.Timeline))
            {
                if (analysis.CountOf(phase) == 0)
                {
                    var where = phase == LatencyThreshold.All ? "in the run" : $"in the {phase} phase";
                    return (PromiseNames.LatencySlo, false, $"no delivery was observed {where}, which SLO {slo} judges");
                }
            }
        }

        return (PromiseNames.LatencySlo, true,
            $"{analysis.Steady.Count} steady-state and {analysis.Fault.Count} fault-phase deliveries against {slos.Count} SLO(s)");
    }

    private static (string, bool, string) Availability(IReadOnlyList<HistoryEvent> history)
    {
        var analysis = AvailabilityAnalysis.For(history);
        return analysis.Attempts == 0
            ? (PromiseNames.Availability, false, "no send or submit was made and answered while no fault was active")
            : (PromiseNames.Availability, true,
                $"{string.Join(", ", analysis.Kinds.Select(k => $"{k.Attempts} {k.Kind} attempt(s)"))} in the steady phase");
    }

    private sealed class DeviceFirst
    {
        public string? Id { get; set; }

        public bool Two { get; set; }
    }
}
