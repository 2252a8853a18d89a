using Chaos.Harness.Checkers;
using Chaos.Harness.Deployment;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Process;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Runs;
using Chaos.Reference.Adapter;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// The faults any system takes, drawn from the seed against the system's own shape (docs/scenarios.md, "system-mix";
/// <see cref="SystemShape"/>): its nodes SIGKILLed, SIGTERMed, paused and restarted, and the embedded Kafka's brokers
/// down and slow, its partitions' leaders and its groups' coordinators moved — overlapping on different targets. No
/// failpoint, proxy, storage or provider: what it needs of a system is nodes and Kafka, so it runs against the
/// reference system and a system of your own alike (samples/wschat). Judged on the delivery promises, availability
/// outside the faults, and the steady phase's latency.
/// </summary>
internal sealed class SystemMixScenario : Scenario
{
    public override string Name => "system-mix";

    public override string Description =>
        "faults any system takes (its own nodes killed, terminated, paused, restarted; brokers down and slow, leaders and coordinators moved) drawn from the seed against the system's shape: nothing lost, duplicated or reordered.";

    public override TimeSpan DefaultDuration => TimeSpan.FromSeconds(40);

    public override CheckOptions CheckOptions => new()
    {
        LatencySlos = [LatencyBudget.Steady],
        RequiredPromises = [.. PromiseNames.Delivery, PromiseNames.LatencySlo, PromiseNames.Availability],
    };

    /// <summary>A fault starts every 3 s on average, from 1 s until 4 s before the end (a restart in flight would be cut).</summary>
    public override FaultScheduleGeneratorOptions ScheduleOptions { get; } = new()
    {
        MeanInterval = TimeSpan.FromSeconds(3),
        LeadIn = TimeSpan.FromSeconds(1),
        LeadOut = TimeSpan.FromSeconds(4),
    };

    /// <summary>
    /// How long a node started again by a fault's heal is left alone: a start on two cores under load takes 2–5 s (a
    /// restart adds up to its 5 s SIGTERM grace). Without it, seed 9 killed gateway-1 1.8 s into its restart — the
    /// restart never took hold and the run was unknown, for the harness's overlap, not the system.
    /// </summary>
    internal static readonly TimeSpan NodeRecovery = TimeSpan.FromSeconds(6);

    /// <summary>The menu on the reference system's shape: what <c>chaos list</c> shows.</summary>
    public override FaultMenu Faults => FaultsOn(ReferenceSystemAdapter.Instance.ShapeFor(new SystemRequirements()));

    public override FaultCatalogue Catalogue => Faults.ToCatalogue();

    public override FaultCatalogue CatalogueOn(SystemShape shape) => FaultsOn(shape).ToCatalogue();

    public override FaultSchedule BuildSchedule(long seed, TimeSpan duration) => FaultScheduleGenerator.Generate(Faults, seed, duration, ScheduleOptions, Name);

    public override FaultSchedule BuildSchedule(long seed, TimeSpan duration, SystemShape shape) =>
        FaultScheduleGenerator.Generate(FaultsOn(shape), seed, duration, ScheduleOptions, Name);

    /// <summary>The menu on a system of <paramref name="shape"/>: its nodes, brokers, partitions and groups.</summary>
    internal static FaultMenu FaultsOn(SystemShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var nodes = shape.Nodes;
        var brokers = shape.BrokerNames;
        List<FaultMenuItem> items =
        [
            // a node the heal starts again (or the restart does) is left alone while it starts: NodeRecovery
            new(ProcessFaultNames.Kill, nodes, MinDuration: S(1), MaxDuration: S(4), Recovery: NodeRecovery),
            new(ProcessFaultNames.Terminate, nodes, Weight: 0.5, MinDuration: S(1), MaxDuration: S(3), Recovery: NodeRecovery),
            new(ProcessFaultNames.Pause, nodes, Weight: 0.5, MinDuration: S(1), MaxDuration: S(4)),
            new(ProcessFaultNames.Restart, nodes, Weight: 0.5, Recovery: NodeRecovery + S(5)),
            new(KafkaFaultFactory.BrokerDown, brokers, MinDuration: S(2), MaxDuration: S(5)),
            new(KafkaFaultFactory.BrokerRtt, brokers, Weight: 0.5, MinDuration: S(2), MaxDuration: S(5), Parameters: new Dictionary<string, IReadOnlyList<string>> { ["rtt"] = ["50", "150"] }),
        ];
        if (shape.Partitions.Count > 0)
        {
            items.Add(new(KafkaFaultFactory.LeaderMove, shape.Partitions, Weight: 0.5, MinDuration: S(2), MaxDuration: S(5)));
        }

        if (shape.ConsumerGroups.Count > 0)
        {
            items.Add(new(KafkaFaultFactory.CoordinatorMove, [.. shape.ConsumerGroups.Select(g => g.Group).Distinct(StringComparer.Ordinal)], Weight: 0.5, Parameters: new Dictionary<string, IReadOnlyList<string>>
            {
                ["to"] = [.. Enumerable.Range(1, shape.Brokers).Select(b => b.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            }));
        }

        return new FaultMenu(items);
    }

    public override IFault CreateFault(FaultScheduleEntry entry, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(context);
        var fault = KafkaFaultFactory.Create(entry, context)
            ?? ProcessFaultFactory.Create(entry, name => context.System.Nodes.FirstOrDefault(n => n.Name == name), context.System.Failpoints);
        return RunEvidence.For(context).Add(fault);
    }

    public override async Task RunFaultPhaseAsync(RunContext context, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        await base.RunFaultPhaseAsync(context, duration, cancellationToken);

        // everything is healed: the devices get a bounded while to be connected again before the evidence is judged
        await FaultEvidence.WaitForDevicesAsync(context, cancellationToken);
    }

    /// <summary>
    /// Every planned fault took hold (the nemesis's record, by planned time); each process fault killed (or paused) its
    /// node and the node came back (<see cref="CrashScenario.CheckFaults"/>); every device is connected again.
    /// </summary>
    protected override string? FaultsTookEffect(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var processes = CrashScenario.CheckFaults(context, [.. RunEvidence.For(context).Of<IFault>()], requireOne: context.Schedule.Entries.Count > 0);
        return Explain(context.Schedule, FaultEvidence.Attempts(context.Nemesis.Applied), processes, FaultEvidence.Disconnected(context));
    }

    /// <summary>
    /// The check on what the run holds, so tests can plant each case: a schedule that drew no fault proves nothing;
    /// every planned fault took hold (<paramref name="attempts"/>: the nemesis's tries by planned time);
    /// <paramref name="processes"/> is what the process faults' own evidence found wrong; no device is left disconnected.
    /// </summary>
    internal static string? Explain(
        FaultSchedule schedule,
        IReadOnlyList<(TimeSpan PlannedAt, bool TookHold)> attempts,
        string? processes,
        IReadOnlyList<string> disconnected)
    {
        if (schedule.Entries.Count == 0)
        {
            return "the schedule drew no fault: give the phase longer";
        }

        var problems = new List<string>();
        foreach (var entry in schedule.Entries.Where(e => !attempts.Any(a => a.PlannedAt == e.At && a.TookHold)))
        {
            problems.Add($"{entry.Fault} on {entry.Target} at {DurationText.Format(entry.At)} did not take hold");
        }

        if (processes is not null)
        {
            problems.Add(processes);
        }

        if (disconnected.Count > 0)
        {
            problems.Add($"{disconnected.Count} device(s) were not connected again after the fault phase ({string.Join(", ", disconnected.Take(5))})");
        }

        return FaultEvidence.Sentence(problems);
    }

    private static TimeSpan S(int seconds) => TimeSpan.FromSeconds(seconds);
}
