using Chaos.Harness.Checkers;
using Chaos.Harness.Deployment;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Kafka;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Runs;
using Chaos.Harness.Topology;
using Chaos.Reference.Adapter;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// Consumer groups rebalanced under load: the notifier group scaled out and back in, a jobs instance stopped and
/// restarted, a notifier frozen past its session timeout and thawed as a zombie, then another notifier stopped.
/// Per-user order, no loss and no duplicates must survive every handover (catches <c>unkeyed-partitioning</c>).
/// </summary>
internal sealed class KafkaRebalanceScenario : Scenario
{
    private const int SessionTimeoutMs = 4000;
    private const string Assignments = "refsys.consumer.assignments";
    private static readonly TimeSpan ZombieFreeze = TimeSpan.FromMilliseconds((2 * SessionTimeoutMs) + 1000);

    public override string Name => "kafka-rebalance";

    public override string Description =>
        "Notifier and jobs consumer groups scaled out and in and a zombie consumer (frozen past its session timeout) under load: per-user order, no loss, no duplicates.";

    public override TimeSpan DefaultDuration => TimeSpan.FromSeconds(40);

    public override CheckOptions CheckOptions => new()
    {
        // a frozen partition owner stalls its users' deliveries for about a session timeout plus a rebalance
        // the worst fault is the zombie: frozen while a rebalance is under way (another member joining or leaving), it
        // holds the whole group for its freeze (up to 12 s), then the group rebalances (measured: 10.5–20.6 s at the
        // default load, where the backlog then drains at about a second of latency per second)
        LatencySlos = [LatencyBudget.Steady, LatencyBudget.Fault(ZombieFreeze + TimeSpan.FromSeconds(3), LatencyBudget.Rebalance)],
        // its load: chat sends to every user's devices (delivery, ordering), jobs and the final drain, judged against SLOs
        RequiredPromises = [.. PromiseNames.Delivery, PromiseNames.JobsExactlyOnce, PromiseNames.LatencySlo, PromiseNames.Availability],
    };

    public override FaultMenu Faults => new(
    [
        new FaultMenuItem(KafkaFaultFactory.ScaleOut, ["notifier", "jobs"], MinDuration: TimeSpan.FromSeconds(6), MaxDuration: TimeSpan.FromSeconds(12)),
        new FaultMenuItem(KafkaFaultFactory.ScaleIn, ["notifier-1", "notifier-2", "jobs-1", "jobs-2"], MinDuration: TimeSpan.FromSeconds(5), MaxDuration: TimeSpan.FromSeconds(12)),
        new FaultMenuItem(KafkaFaultFactory.Zombie, ["notifier-1", "notifier-2", "jobs-1", "jobs-2"], MinDuration: ZombieFreeze, MaxDuration: ZombieFreeze + TimeSpan.FromSeconds(3)),
    ]);

    public override SystemRequirements ConfigureSystem(SystemRequirements requirements) => requirements with { ConsumerSessionTimeout = TimeSpan.FromMilliseconds(SessionTimeoutMs) };

    /// <summary>
    /// A scripted timeline (targets drawn from the seed): scale-out of the notifier group at 1 s; a jobs instance
    /// stopped at 2 s and restarted later; a notifier frozen as a zombie once the scale-out has been undone; then,
    /// when the phase is long enough, the other notifier stopped until the end of the phase.
    /// </summary>
    public override FaultSchedule BuildSchedule(long seed, TimeSpan duration)
    {
        var entries = new List<FaultScheduleEntry>();
        var d = duration.TotalMilliseconds;
        var zombie = 1 + SeedPick.Of(seed, 1, 2);
        var jobs = 1 + SeedPick.Of(seed, 2, 2);
        TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(Math.Floor(ms));

        var scaleOutEnd = Math.Max(9000, 0.3 * d);
        Add(1000, KafkaFaultFactory.ScaleOut, "notifier", scaleOutEnd - 1000);
        Add(2000, KafkaFaultFactory.ScaleIn, $"jobs-{jobs}", Math.Max(5000, 0.35 * d));
        var zombieAt = Math.Max(1000, Math.Min(Math.Max(scaleOutEnd + 1000, 0.4 * d), d - ZombieFreeze.TotalMilliseconds - 500));
        Add(zombieAt, KafkaFaultFactory.Zombie, $"notifier-{zombie}", ZombieFreeze.TotalMilliseconds);
        var scaleInAt = zombieAt + ZombieFreeze.TotalMilliseconds + 1000;
        if (d - scaleInAt >= 5000)
        {
            Add(scaleInAt, KafkaFaultFactory.ScaleIn, $"notifier-{3 - zombie}", d - scaleInAt);
        }

        return new FaultSchedule(entries, duration) { Seed = seed, Scenario = Name };

        void Add(double at, string fault, string target, double length)
        {
            if (at < d)
            {
                entries.Add(new FaultScheduleEntry(Ms(at), fault, target, Ms(Math.Min(length, d - at))));
            }
        }
    }

    public override IFault CreateFault(FaultScheduleEntry entry, RunContext context)
    {
        var fault = KafkaFaultFactory.Create(entry, context) ?? base.CreateFault(entry, context);
        var state = context.State<RunState>();
        state.Faults.Add(fault);
        if (fault is ZombieConsumerFault zombie)
        {
            // what the zombie had received before it froze (a later assignment proves it rejoined after waking), and
            // what the rest of its group received while it was frozen (a new assignment is the group rebalancing
            // without it): read just before the freeze and just before the thaw
            var node = context.Topology.GetNode(zombie.Target);
            var others = context.System.InstancesOf(zombie.Target[..zombie.Target.LastIndexOf('-')]).Where(n => n.Name != zombie.Target).ToList();
            return new Probed(
                fault,
                beforeApply: async ct =>
                {
                    state.ZombieAssignmentsBefore = (await RoleMetrics.TryReadAsync(node, ct))?.Counter(Assignments);
                    state.OthersAssignmentsAtFreeze = await AssignmentsOfAsync(others, ct);
                },
                beforeHeal: async ct => state.OthersAssignmentsAtThaw = await AssignmentsOfAsync(others, ct));
        }

        return fault;
    }

    public override async Task RunFaultPhaseAsync(RunContext context, TimeSpan duration, CancellationToken cancellationToken)
    {
        await base.RunFaultPhaseAsync(context, duration, cancellationToken);
        var state = context.State<RunState>();
        // A thawed zombie learns it was evicted at its next heartbeat; the restarted instances rejoin: give both a moment.
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(15));
        try
        {
            while (true)
            {
                var evidence = await GatherAsync(context, state, bound.Token);
                if (bound.IsCancellationRequested)
                {
                    return; // reads cut short by the bound prove nothing: the last complete evidence stands
                }

                state.Evidence = evidence;
                if (evidence.Explain() is null)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), context.TimeProvider, bound.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // the evidence gathered last stands
        }

        // The last heal restarts a stopped notifier at the end of the phase, which rebalances the group: until that is
        // over nobody consumes, and records produced meanwhile would still sit in Kafka when the drain looks at the
        // inboxes. Recovery and drain start on settled groups (bounded: the drain's own timeout still applies).
        await ConsumerGroups.WaitForAssignmentsAsync(context, context.System.Nodes.Where(n => n.Role is "notifier" or "jobs"), TimeSpan.FromSeconds(30), cancellationToken);
    }

    protected override string? FaultsTookEffect(RunContext context)
    {
        if (context.StateOrNull<RunState>() is not { Evidence: { } evidence } state)
        {
            return "no evidence was gathered after the fault phase";
        }

        if (evidence.DescribeZombie(state.Faults.OfType<ZombieConsumerFault>().FirstOrDefault()?.Target) is { } zombie)
        {
            FaultEvidence.Record(context, zombie);
        }

        return evidence.Explain();
    }

    private static async Task<RebalanceEvidence> GatherAsync(RunContext context, RunState state, CancellationToken cancellationToken)
    {
        var applied = context.Nemesis.Applied;
        var zombie = state.Faults.OfType<ZombieConsumerFault>().FirstOrDefault();
        var scaleIns = state.Faults.OfType<ConsumerScaleInFault>().Select(f => f.Target).ToHashSet(StringComparer.Ordinal);
        var notifiers = context.System.Nodes.Where(n => n.Role == "notifier" && !scaleIns.Contains(n.Name) && n.Name != zombie?.Target);
        var jobs = context.System.Nodes.Where(n => n.Role == "jobs" && !scaleIns.Contains(n.Name));
        var survivors = await RoleMetrics.ReadAllAsync(notifiers, cancellationToken);
        var jobsMetrics = await RoleMetrics.ReadAllAsync(jobs, cancellationToken);
        RoleMetrics? zombieMetrics = zombie is null ? null : await RoleMetrics.TryReadAsync(context.Topology.GetNode(zombie.Target), cancellationToken);
        return new RebalanceEvidence
        {
            ScaleOutHeld = applied.Any(a => a.Name == KafkaFaultFactory.ScaleOut && a.TookHold),
            // the zombie also counts as a notifier that ran through the phase: its assignment changes too
            NotifierAssignments = survivors.Append(zombieMetrics).OfType<RoleMetrics>().Select(m => m.Counter(Assignments)).DefaultIfEmpty(0).Max(),
            JobsScaleInHeld = applied.Any(a => a.Name == KafkaFaultFactory.ScaleIn && a.Target.StartsWith("jobs-", StringComparison.Ordinal) && a.TookHold),
            JobsAssignments = jobsMetrics.Select(m => m.Counter(Assignments)).DefaultIfEmpty(0).Max(),
            ZombieScheduled = zombie is not null,
            ZombieFrozenFor = zombie?.FrozenFor,
            ZombieLost = zombieMetrics?.Counter("refsys.consumer.lost") ?? 0,
            ZombieAssignmentsBefore = state.ZombieAssignmentsBefore,
            ZombieAssignmentsAfter = zombieMetrics?.Counter(Assignments),
            OthersAssignmentsAtFreeze = state.OthersAssignmentsAtFreeze,
            OthersAssignmentsAtThaw = state.OthersAssignmentsAtThaw,
            SessionTimeout = TimeSpan.FromMilliseconds(SessionTimeoutMs),
        };
    }

    private sealed class RunState
    {
        public List<IFault> Faults { get; } = [];

        public RebalanceEvidence? Evidence { get; set; }

        public long? ZombieAssignmentsBefore { get; set; }

        public long? OthersAssignmentsAtFreeze { get; set; }

        public long? OthersAssignmentsAtThaw { get; set; }
    }

    /// <summary>The assignments the running instances among <paramref name="nodes"/> have received, summed (null: none could be read).</summary>
    private static async Task<long?> AssignmentsOfAsync(IEnumerable<ITopologyNode> nodes, CancellationToken cancellationToken)
    {
        var metrics = await RoleMetrics.ReadAllAsync(nodes.Where(n => n.IsRunning), cancellationToken);
        return metrics.Count == 0 ? null : metrics.Sum(m => m.Counter(Assignments));
    }

    /// <summary>Runs probes just before the fault is applied and just before it is healed (and records nothing itself).</summary>
    private sealed class Probed(IFault inner, Func<CancellationToken, Task> beforeApply, Func<CancellationToken, Task> beforeHeal) : IFault, IFaultOutcome
    {
        public string Name => inner.Name;

        /// <summary>The wrapped fault's outcome (the zombie's frozen time), so the history keeps it.</summary>
        public string? Outcome => (inner as IFaultOutcome)?.Outcome;

        public string Target => inner.Target;

        public async Task ApplyAsync(CancellationToken cancellationToken)
        {
            await beforeApply(cancellationToken);
            await inner.ApplyAsync(cancellationToken);
        }

        public async Task HealAsync(CancellationToken cancellationToken)
        {
            try
            {
                await beforeHeal(cancellationToken);
            }
            finally
            {
                // the probe is evidence only: whatever became of it (an abort cancels it), the heal happens
                await inner.HealAsync(cancellationToken);
            }
        }
    }
}
