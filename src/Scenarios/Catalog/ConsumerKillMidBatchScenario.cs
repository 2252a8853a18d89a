using System.Globalization;
using Chaos.Harness.Checkers;
using Chaos.Harness.Faults.Failpoints;
using Chaos.Harness.Faults.Kafka;
using Chaos.Harness.Faults.Process;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Runs;
using Chaos.Reference.Adapter;
using Confluent.Kafka;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// Notifier and jobs consumers crashed at exact points — after the side effect and before the offset commit, and in
/// the middle of a batch — plus a random SIGKILL of a consumer; each restarted. The group must rebalance and the
/// uncommitted records be redelivered, and the business keys must absorb the redelivery.
/// </summary>
internal sealed class ConsumerKillMidBatchScenario : CrashScenario
{
    private const string Redelivered = "refsys.redelivered";
    private const string Assignments = "refsys.consumer.assignments";

    public override string Name => "consumer-kill-mid-batch";

    public override string Description =>
        "Notifier and jobs consumers crashed between effect and commit and mid-batch (failpoints), plus random SIGKILLs: rebalance, redelivery, no duplicate or lost effect.";

    private static readonly int SessionTimeoutMs = new ReferenceSystemOptions().SessionTimeoutMs;

    public override TimeSpan DefaultDuration => TimeSpan.FromSeconds(40);

    public override CheckOptions CheckOptions => new()
    {
        // a crashed consumer holds its partitions until its session times out (6 s), then the group rebalances; the
        // failpoints fire at a consumer's next hit, so two members of a group can die back to back and a record wait
        // out both — and each dead member's restart joins the group again, a rebalance during which the survivor's
        // commits fail and it re-reads its batch. Measured: 11.6 s at the default 40 s, 20.9 s when a 24 s run packs
        // the crashes together, 32.3 s once at 150 sends/s (2026-12-04: deaths stalled the group 11.5 s and 10.8 s,
        // the second restart's join 10 s). So two dead members and two joins.
        LatencySlos =
        [
            LatencyBudget.Steady,
            LatencyBudget.Fault(LatencyBudget.DeadMember(SessionTimeoutMs), LatencyBudget.DeadMember(SessionTimeoutMs), LatencyBudget.Rebalance, LatencyBudget.Rebalance),
        ],
        // jobs-A is crashed between effect and commit, so the jobs promise is central; its load: chat sends to every
        // user's devices (delivery, ordering), jobs and the final drain, judged against SLOs
        RequiredPromises = [.. PromiseNames.Delivery, PromiseNames.JobsExactlyOnce, PromiseNames.LatencySlo, PromiseNames.Availability],
    };

    /// <summary>
    /// A scripted timeline, targets and trigger hits drawn from the seed: a notifier crashed after effect before commit
    /// at 1 s, a jobs consumer crashed the same way at 30 %, the other notifier crashed mid-batch at 40 % (armed for
    /// 30 %), and a random consumer SIGKILLed at 70 %. Crashed instances stay down until the heal restarts them; the
    /// last restart lands by 70 % + 3 s so that the session timeout (6 s), the
    /// mock's rebalance wait (5 s) and the redelivery fit in the rest of the phase, the recovery and the drain.
    /// </summary>
    public override FaultSchedule BuildSchedule(long seed, TimeSpan duration)
    {
        var d = duration.TotalMilliseconds;
        var notifierA = Pick(seed, 1, 2) + 1;
        var jobsA = Pick(seed, 2, 2) + 1;
        // not notifier-B: its failpoint window ends where the kill starts
        string[] consumers = [$"notifier-{notifierA}", "jobs-1", "jobs-2"];
        FaultScheduleEntry[] entries =
        [
            Crash(Ms(Math.Min(1000, d * 0.05)), $"notifier-{notifierA}", "notifier.after-effect-before-commit", Pick(seed, 3, 2) + 1, Ms(Math.Max(3000, d * 0.25))),
            Crash(Ms(d * 0.3), $"jobs-{jobsA}", "jobs.after-effect-before-commit", Pick(seed, 4, 2) + 1, Ms(Math.Max(3000, d * 0.15))),
            // armed for 30 %: the restart of notifier-A triggers a rebalance that leaves notifier-B without partitions for ~5 s
            Crash(Ms(d * 0.4), $"notifier-{3 - notifierA}", "notifier.mid-batch", Pick(seed, 5, 2) + 1, Ms(Math.Max(3000, d * 0.3))),
            new(Ms(d * 0.7), ProcessFaultNames.Kill, consumers[Pick(seed, 6, consumers.Length)], TimeSpan.FromSeconds(3)),
        ];
        return new FaultSchedule(entries, duration) { Scenario = Name, Seed = seed };
    }

    /// <summary>
    /// Waits (at most 30 s) until every notifier and jobs instance has been assigned partitions — the groups' first
    /// rebalances are over — so a failpoint armed at 1 s is armed on a consumer that is consuming; then plays the schedule.
    /// </summary>
    public override async Task RunFaultPhaseAsync(RunContext context, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var consumers = context.System.Nodes.Where(n => n.Role is "notifier" or "jobs").ToList();
        await ConsumerGroups.WaitForAssignmentsAsync(context, consumers, TimeSpan.FromSeconds(30), cancellationToken);
        await base.RunFaultPhaseAsync(context, duration, cancellationToken);

        // and again after the last restart: the drain must not start while a group is still rebalancing
        await ConsumerGroups.WaitForAssignmentsAsync(context, consumers, TimeSpan.FromSeconds(30), cancellationToken);
    }

    /// <summary>
    /// Every targeted process died (a crash at its failpoint, or our SIGKILL) and came back; for each consumer role a
    /// failpoint crashed, the group rebalanced (an instance that lived through the phase got a new assignment, or,
    /// when none did, a restarted one got one) and records were handled again: for the notifiers, seen by the harness
    /// itself as deliveries produced again to the deliveries topic (<see cref="RepeatedRecords"/>); for the jobs
    /// workers, whose second handling of a done job has no outside effect, still the system's own
    /// <c>refsys.redelivered</c> (counted whether or not dedupe absorbed them).
    /// </summary>
    public override async Task<string?> VerifyFaultsTookEffectAsync(RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var faults = FaultsOf(context);
        var problems = new List<string>();
        if (CheckFaults(context, faults) is { } basic)
        {
            problems.Add(basic);
        }

        var now = await ReadMetricsNowAsync(context, cancellationToken);
        var baseline = BaselineOf(context);
        foreach (var role in new[] { "notifier", "jobs" })
        {
            var crashed = faults.OfType<FailpointFault>().Where(f => f.Crashed && f.Target.StartsWith(role + "-", StringComparison.Ordinal)).ToList();
            var killed = faults.Where(KilledOrCrashed).Where(f => f.Target.StartsWith(role + "-", StringComparison.Ordinal)).ToList();
            if (killed.Count == 0)
            {
                continue;
            }

            var instances = SamplesOf(context).Where(m => m.Node.StartsWith(role + "-", StringComparison.Ordinal)).ToList();
            var survivors = now.Where(m => m.Node.StartsWith(role + "-", StringComparison.Ordinal) && baseline.TryGetValue(m.Node, out var b) && b.Incarnation == m.Incarnation).ToList();
            var rebalanced = survivors.Count > 0
                ? survivors.Any(m => m.Counter(Assignments) > baseline[m.Node].Counter(Assignments))
                : instances.Any(m => baseline.TryGetValue(m.Node, out var b) && m.Incarnation > b.Incarnation && m.Counter(Assignments) > 0);
            if (!rebalanced)
            {
                problems.Add($"the {role} group did not rebalance: no instance got a new partition assignment after {string.Join(", ", killed.Select(k => k.Target))} went down");
            }

            var redelivered = instances.Sum(m => m.Counter(Redelivered) - (baseline.TryGetValue(m.Node, out var b) && b.Incarnation == m.Incarnation ? b.Counter(Redelivered) : 0));
            RecordEvidence(context, string.Create(CultureInfo.InvariantCulture,
                $"{role}: rebalanced={rebalanced}, redelivered={redelivered} ({Redelivered}, the system's own count), assignments={string.Join(",", instances.Select(m => $"{m.Node}#{m.Incarnation}:{m.Counter(Assignments)}"))}"));
            if (crashed.Count == 0)
            {
                continue;
            }

            var points = string.Join(", ", crashed.Select(c => c.Settings.Point).Distinct());
            if (role == "notifier")
            {
                // judged on the harness's own read of Kafka, not on the system's count: a fan-out record handled again
                // has its deliveries produced again (docs/scenarios.md, consumer-kill-mid-batch)
                if (HandledAgain(context) is { } missing)
                {
                    problems.Add($"{missing} after the crash at {points}");
                }
            }
            else if (redelivered <= 0)
            {
                // no outside witness yet: a jobs worker that meets a job already done does nothing anyone can see
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"no {role} record was redelivered after the crash at {points}"));
            }
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>Why the deliveries topic shows no fan-out record handled twice, or null when it does.</summary>
    private static string? HandledAgain(RunContext context)
    {
        RepeatedRecords.Result read;
        try
        {
            read = RepeatedRecords.Read(context.System.Kafka.BootstrapServers, "deliveries", "id", TimeSpan.FromSeconds(60));
        }
        catch (Exception e) when (e is KafkaException or TimeoutException or ArgumentException)
        {
            return $"the deliveries topic could not be read to see whether a fan-out record was handled twice ({e.Message})";
        }

        RecordEvidence(context, string.Create(CultureInfo.InvariantCulture,
            $"notifier, seen by the harness: {read.Repeated} (user, message) deliveries produced again by a later produce call, of {read.Records} records on the deliveries topic (read by the harness){(read.Examples.Count > 0 ? ", e.g. " + string.Join(", ", read.Examples) : "")}"));
        return read.Repeated > 0 ? null : $"no fan-out record was handled twice: none of the {read.Records} records on the deliveries topic was produced again";
    }

    private static FaultScheduleEntry Crash(TimeSpan at, string target, string point, int hit, TimeSpan down) =>
        new(at, ProcessFaultNames.Failpoint, target, down, new Dictionary<string, string>
        {
            ["point"] = point,
            ["action"] = "crash",
            ["hit"] = hit.ToString(CultureInfo.InvariantCulture),
        });
}
