using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>Jobs applied exactly once: double-effect (an account's final balance differs from its opening balance plus
/// the amounts of the distinct transactions whose jobs are done), lost-job (an acknowledged job in no terminal state
/// after the drain), dlq-without-reason (a dead-lettered job that names no reason) and exhausted-not-dead-lettered (the
/// harness's downstream provider failed every call of a job, as many as its attempt budget, yet the job was not
/// dead-lettered — counted from the calls the harness observed, not from the system's attempt records) and
/// dlq-record-missing (a job the system reports dead-lettered of which the dead-letter topic, read by the harness at the
/// drain — the <c>dead-letters</c> event — holds no record; unchecked when the history has no such event) and
/// dead-lettered-early (a job dead-lettered after fewer calls than its budget, none refused, while no fault could have
/// hidden an attempt from the provider; docs/checkers.md).</summary>
/// <param name="attemptBudget">The jobs' attempt budget (first attempt included); null leaves exhausted-not-dead-lettered
/// and dead-lettered-early unchecked.</param>
/// <param name="backoff">The jobs' retry policy: with its <see cref="RetryEnvelope.BaseDelay"/>, how long after a job's
/// last observed call its remaining attempts could still come (dead-lettered-early); without one, until the history ends.</param>
public sealed class JobsCheck(int? attemptBudget = null, RetryEnvelope? backoff = null) : ICheck
{
    /// <summary>How long before a fault window an attempt it hides may fall (a SIGKILL lands between a reservation and its call).</summary>
    internal static readonly TimeSpan HiddenBefore = TimeSpan.FromSeconds(1);

    /// <summary>How long after a fault's heal attempts may still go unseen: a rebalance it set off cancels a worker
    /// between its reservation and its call up to a session timeout later (the reference's is 6 s). A fault that hides
    /// only the calls made while it holds (<see cref="HideOnlyWhileHeld"/>) gets <see cref="HiddenBefore"/> instead.</summary>
    internal static readonly TimeSpan HiddenAfter = TimeSpan.FromSeconds(15);

    /// <summary>Slack on the last moment a job's remaining attempts could come (a worker slowed by load).</summary>
    internal static readonly TimeSpan RemainingSlack = TimeSpan.FromSeconds(2);

    /// <summary>Faults after which every call a worker makes still reaches the provider and is recorded: the provider's
    /// own answer faults (a stalled call is recorded when it arrives), the load shapes, a device's faults, and a topic
    /// whose produce requests Kafka refuses (a producer's failure, which touches no consumer group and no call in
    /// flight; a worker writes its dead letter after its last call).</summary>
    private static readonly HashSet<string> CallsStillArrive = new(StringComparer.Ordinal)
    {
        "downstream-failure", "downstream-slow", "downstream-refuse", "downstream-stall", "fanout", "burst",
        "sleep", "network-switch", "app-kill", "read-stall", "topic-refused",
    };

    /// <summary>Faults that hide the calls made while they hold and no others: the provider unreachable drops them, and
    /// nothing of the jobs' consumer group moves.</summary>
    private static readonly HashSet<string> HideOnlyWhileHeld = new(StringComparer.Ordinal) { "downstream-down" };

    /// <summary>Targets whose faults cannot touch a jobs worker or its consumer group: other roles' instances and proxies
    /// and the chat topic's partitions (a target is matched by its start).</summary>
    private static readonly string[] OtherTargets = ["api-", "gateway-", "notifier", "fanout/"];

    /// <inheritdoc/>
    public string Name => "jobs";

    /// <inheritdoc/>
    public CheckResult Check(IReadOnlyList<HistoryEvent> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var result = new CheckResultBuilder();
        var jobs = new Dictionary<string, Job>(StringComparer.Ordinal);
        var open = new Dictionary<string, Job>(StringComparer.Ordinal);
        var accounts = new Dictionary<string, Account>(StringComparer.Ordinal);
        (HashSet<string> Ids, long Index)? deadLetters = null;

        Job JobOf(string id)
        {
            if (!jobs.TryGetValue(id, out var job))
            {
                jobs[id] = job = new Job(id);
            }

            return job;
        }

        Account AccountOf(string name)
        {
            if (!accounts.TryGetValue(name, out var account))
            {
                accounts[name] = account = new Account(name);
            }

            return account;
        }

        foreach (var e in history)
        {
            switch (e.Op)
            {
                case SubmitValue submit:
                    Job job;
                    if (e.Type == HistoryEventType.Invoke)
                    {
                        job = JobOf(submit.Id);
                        open[e.Process] = job;
                        if (job.SubmitIndex < 0)
                        {
                            job.SubmitIndex = e.Index;
                        }
                    }
                    else
                    {
                        job = open.Remove(e.Process, out var pending) ? pending : JobOf(submit.Id);
                        if (job.SubmitIndex < 0)
                        {
                            job.SubmitIndex = e.Index;
                        }

                        if (e.Type == HistoryEventType.Ok && job.OkIndex < 0)
                        {
                            job.OkIndex = e.Index;
                        }
                    }

                    if (job.SubmitTime < 0)
                    {
                        job.SubmitTime = e.Time;
                    }

                    job.Txn ??= submit.Txn;
                    job.Account ??= submit.Account;
                    job.Amount ??= submit.Amount;
                    if (job.Account is not null)
                    {
                        var account = AccountOf(job.Account);
                        if (account.FirstSubmitIndex < 0)
                        {
                            account.FirstSubmitIndex = e.Index;
                        }
                    }

                    break;
                case JobStateValue state:
                    var stated = JobOf(state.Id);
                    stated.State = state.State;
                    stated.StateIndex = e.Index;
                    if (state.State == JobStates.DeadLettered && string.IsNullOrWhiteSpace(state.Reason))
                    {
                        result.Add(AnomalyNames.DlqWithoutReason, () => new AnomalyExample(
                            [e.Index], $"job {state.Id} was dead-lettered without a reason"));
                    }

                    break;
                case DeadLettersValue topicRead when e.Type == HistoryEventType.Ok:
                    // the last read counts: it was taken after the job states it vouches for
                    deadLetters = (topicRead.Records.Select(r => r.Id).ToHashSet(StringComparer.Ordinal), e.Index);
                    break;
                case BalanceValue balance when e.Type == HistoryEventType.Ok:
                    var read = AccountOf(balance.Account);
                    if (read.FirstSubmitIndex < 0)
                    {
                        read.Opening = (balance.Balance, e.Index);
                    }
                    else
                    {
                        read.Final = (balance.Balance, e.Index);
                    }

                    break;
            }
        }

        var undecidable = RunMarkers.Undecidable(history, "jobs");
        foreach (var reason in undecidable)
        {
            result.Unknown(reason);
        }

        long acknowledged = 0, done = 0, deadLettered = 0;
        foreach (var job in jobs.Values)
        {
            if (job.State == JobStates.Done)
            {
                done++;
            }
            else if (job.State == JobStates.DeadLettered)
            {
                deadLettered++;
            }

            if (job.OkIndex < 0)
            {
                continue;
            }

            acknowledged++;
            if (undecidable.Count == 0 && (job.State is null || !JobStates.IsTerminal(job.State)))
            {
                result.Add(AnomalyNames.LostJob, () => new AnomalyExample(
                    job.StateIndex >= 0 ? [job.SubmitIndex, job.OkIndex, job.StateIndex] : [job.SubmitIndex, job.OkIndex],
                    job.State is null ? $"job {job.Id} acknowledged, never reached a state" : $"job {job.Id} acknowledged, left in state '{job.State}'"));
            }
        }

        if (attemptBudget is { } budget && undecidable.Count == 0)
        {
            var observed = ObservedCalls.From(history);
            CheckExhausted(observed, budget, jobs, result);
            CheckDeadLetteredEarly(observed, budget, jobs, PhaseTimeline.Build(history).FaultWindows, result);
        }

        if (deadLetters is { } topic)
        {
            result.Count("dead-letter-records", topic.Ids.Count);
            if (undecidable.Count == 0)
            {
                CheckDeadLetterRecords(jobs.Values, topic.Ids, topic.Index, result);
            }
        }

        CheckBalances(jobs.Values, accounts, result);
        result.Count("jobs", jobs.Count);
        result.Count("jobs-acknowledged", acknowledged);
        result.Count("jobs-done", done);
        result.Count("jobs-dead-lettered", deadLettered);
        result.Count("accounts", accounts.Count);
        return result.Build();
    }

    /// <summary>A job whose observed calls all failed and number at least the budget must end dead-lettered.</summary>
    private static void CheckExhausted(ObservedCalls observed, int budget, Dictionary<string, Job> jobs, CheckResultBuilder result)
    {
        foreach (var (id, calls) in observed.ByJob)
        {
            if (calls.Count < budget || calls.Any(c => c.Succeeded))
            {
                continue;
            }

            jobs.TryGetValue(id, out var job);
            if (job?.State == JobStates.DeadLettered)
            {
                continue;
            }

            List<long> events = [.. calls.Take(20).Select(c => c.Index)];
            if (job is { StateIndex: >= 0 })
            {
                events.Add(job.StateIndex);
            }

            var state = job?.State is { } s ? $"its final state is '{s}'" : "it reached no state";
            result.Add(AnomalyNames.ExhaustedNotDeadLettered, () => new AnomalyExample(
                events, $"job {id}: the downstream provider failed all {calls.Count} of its calls (budget {budget} attempts), yet {state}, not dead-lettered"));
        }
    }

    /// <summary>
    /// A job dead-lettered after fewer observed calls than its budget, every one failed with a status the caller may
    /// retry (none refused, none accepted), was given up early — unless some attempts went unseen: a worker killed
    /// between its write-ahead reservation and its call, a provider that was unreachable, a rebalance that cancelled a
    /// reserved attempt. Those need a fault, so the job is judged only when no fault that could hide an attempt came near
    /// its life: from its submit to its last observed call plus the backoff its remaining attempts would have taken.
    /// </summary>
    private void CheckDeadLetteredEarly(ObservedCalls observed, int budget, Dictionary<string, Job> jobs, IReadOnlyList<FaultWindow> faults, CheckResultBuilder result)
    {
        var hiding = faults.Where(CanHideCalls).ToList();
        long judged = 0, excused = 0;
        foreach (var (id, calls) in observed.ByJob)
        {
            if (!jobs.TryGetValue(id, out var job) || job.State != JobStates.DeadLettered)
            {
                continue;
            }

            if (calls.Count >= budget || calls.Any(c => c.Succeeded || c.Refused))
            {
                judged++; // its budget spent, or refused: dead-lettered in time
                continue;
            }

            var from = job.SubmitTime >= 0 ? Math.Min(job.SubmitTime, calls[0].Time) : calls[0].Time;
            var until = RemainingUntil(calls[^1].Time, calls.Count, budget);
            if (hiding.Any(w => Near(w, from, until)))
            {
                excused++;
                continue;
            }

            judged++;
            List<long> events = [.. calls.Take(20).Select(c => c.Index), job.StateIndex];
            var answers = string.Join(", ", calls.Take(6).Select(c => c.Status is { } s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no status"));
            result.Add(AnomalyNames.DeadLetteredEarly, () => new AnomalyExample(
                events,
                $"job {id} was dead-lettered after {calls.Count} call(s) of its budget of {budget}, each failed with a status the caller may retry ({answers}), none refused, and no fault could have hidden an attempt"));
        }

        result.Count("dead-letters-judged", judged);
        result.Count("dead-letters-excused-by-fault", excused);
    }

    /// <summary>The last moment (ns) the remaining attempts of a job whose call <paramref name="calls"/> came at
    /// <paramref name="lastCall"/> could come: the backoff before each, at its longest (jitter only shortens it).</summary>
    private long RemainingUntil(long lastCall, int calls, int budget)
    {
        if (backoff?.BaseDelay is not { } baseDelay)
        {
            return long.MaxValue;
        }

        var wait = 0.0;
        for (var n = calls; n < budget; n++)
        {
            wait += baseDelay.TotalMilliseconds * Math.Pow(backoff.Multiplier, n - 1);
        }

        var ns = (wait + RemainingSlack.TotalMilliseconds) * 1_000_000;
        return ns >= long.MaxValue - lastCall ? long.MaxValue : lastCall + (long)ns;
    }

    /// <summary>Whether attempts made during <paramref name="fault"/> may never have reached the provider. Unknown faults may.</summary>
    internal static bool CanHideCalls(FaultWindow fault) =>
        !CallsStillArrive.Contains(fault.Fault)
        && !(fault.Fault == "request-errors" && fault.Target == "Produce") // as topic-refused, for every topic
        && !(fault.Target is { } target && OtherTargets.Any(t => target.StartsWith(t, StringComparison.Ordinal)));

    /// <summary>Whether a call-hiding <paramref name="fault"/> came near [<paramref name="from"/>, <paramref name="until"/>]
    /// (ns): from <see cref="HiddenBefore"/> before it to <see cref="HiddenAfter"/> after its heal (to
    /// <see cref="HiddenBefore"/> after it for a fault that hides only the calls made while it holds).</summary>
    internal static bool Near(FaultWindow fault, long from, long until) =>
        fault.Start - (long)HiddenBefore.TotalNanoseconds <= until
        && SaturatingAdd(fault.End, (long)(HideOnlyWhileHeld.Contains(fault.Fault) ? HiddenBefore : HiddenAfter).TotalNanoseconds) >= from;

    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;

    /// <summary>A job the system reports dead-lettered must have a record on the dead-letter topic the harness read.</summary>
    private static void CheckDeadLetterRecords(IEnumerable<Job> jobs, HashSet<string> recorded, long readIndex, CheckResultBuilder result)
    {
        foreach (var job in jobs)
        {
            if (job.State == JobStates.DeadLettered && !recorded.Contains(job.Id))
            {
                result.Add(AnomalyNames.DlqRecordMissing, () => new AnomalyExample(
                    job.SubmitIndex >= 0 ? [job.SubmitIndex, job.StateIndex, readIndex] : [job.StateIndex, readIndex],
                    $"job {job.Id}: the system reports it dead-lettered, yet the dead-letter topic holds no record of it ({recorded.Count} record(s) read)"));
            }
        }
    }

    private static void CheckBalances(IEnumerable<Job> jobs, Dictionary<string, Account> accounts, CheckResultBuilder result)
    {
        foreach (var job in jobs)
        {
            if (job.State != JobStates.Done || job.Account is null || !accounts.TryGetValue(job.Account, out var account))
            {
                continue;
            }

            if (job.Amount is not { } amount)
            {
                account.MissingAmount = true;
                continue;
            }

            // Effects are idempotent per transaction id: a second job with the same txn adds nothing.
            if (account.AppliedTxns.Add(job.Txn ?? job.Id))
            {
                account.Applied += amount;
                if (account.Evidence.Count < 20)
                {
                    account.Evidence.Add(job.StateIndex);
                }
            }
        }

        foreach (var account in accounts.Values)
        {
            if (account.AppliedTxns.Count == 0 && account.Final is null)
            {
                continue;
            }

            if (account.Final is not { } final)
            {
                result.Unknown($"account {account.Name} has applied jobs but no final balance read: double-effect is not decided");
                continue;
            }

            if (account.MissingAmount)
            {
                result.Unknown($"a done job on account {account.Name} has no amount: double-effect is not decided");
                continue;
            }

            var opening = account.Opening?.Balance ?? 0m;
            var expected = opening + account.Applied;
            if (final.Balance != expected)
            {
                var events = new List<long> { final.Index };
                if (account.Opening is { } open)
                {
                    events.Insert(0, open.Index);
                }

                events.AddRange(account.Evidence);
                var how = final.Balance > expected ? "more than" : "less than";
                result.Add(AnomalyNames.DoubleEffect, () => new AnomalyExample(
                    [.. events],
                    $"account {account.Name} balance {final.Balance} is {how} {opening} + {account.Applied} from {account.AppliedTxns.Count} distinct applied transaction(s) = {expected}"));
            }
        }
    }

    private sealed class Job(string id)
    {
        public string Id { get; } = id;

        public string? Txn { get; set; }

        public string? Account { get; set; }

        public decimal? Amount { get; set; }

        public long SubmitIndex { get; set; } = -1;

        public long SubmitTime { get; set; } = -1;

        public long OkIndex { get; set; } = -1;

        public string? State { get; set; }

        public long StateIndex { get; set; } = -1;
    }

    private sealed class Account(string name)
    {
        public string Name { get; } = name;

        public long FirstSubmitIndex { get; set; } = -1;

        public (decimal Balance, long Index)? Opening { get; set; }

        public (decimal Balance, long Index)? Final { get; set; }

        public HashSet<string> AppliedTxns { get; } = new(StringComparer.Ordinal);

        public decimal Applied { get; set; }

        public bool MissingAmount { get; set; }

        public List<long> Evidence { get; } = [];
    }
}
