using System.Globalization;
using Chaos.Harness.Checkers;
using Chaos.Harness.Deployment;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Runs;
using Chaos.Reference.Adapter;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// The Kafka cluster misbehaves under load: a broker down and up, a partition leader moved, group coordinators moved,
/// retriable errors injected into produce, fetch and offset-commit requests, a slow broker, and produce requests
/// refused for good (non-retriable errors the clients must handle themselves). Clients must retry and
/// follow; every promise must hold. Needs the embedded cluster's fault API (docs/scenarios.md says what degrades).
/// </summary>
internal sealed class BrokerOutageScenario : Scenario
{
    /// <summary>How long after the last heal a newly sent message has to reach a device.</summary>
    private static readonly TimeSpan AfterHealBound = TimeSpan.FromSeconds(15);


    public override string Name => "broker-outage";

    public override string Description =>
        "A broker down and up, partition leader and group coordinator moves, retriable and non-retriable request errors and broker delay under load: clients retry and follow, every promise holds.";

    public override TimeSpan DefaultDuration => TimeSpan.FromSeconds(30);

    public override CheckOptions CheckOptions => new()
    {
        // partitions led by a down broker stall until it is up (the mock does not move leadership)
        // the longest fault (a leader move of up to 6 s), then the clients find the leader again
        LatencySlos = [LatencyBudget.Steady, LatencyBudget.Fault(TimeSpan.FromSeconds(6), LatencyBudget.KafkaRetry)],
        // its load: chat sends to every user's devices (delivery, ordering), jobs and the final drain, judged against SLOs
        RequiredPromises = [.. PromiseNames.Delivery, PromiseNames.JobsExactlyOnce, PromiseNames.LatencySlo, PromiseNames.Availability],
    };

    /// <summary>The menu on the reference system's shape: what <c>chaos list</c> shows.</summary>
    public override FaultMenu Faults => FaultsOn(ReferenceShape);

    public override FaultCatalogue CatalogueOn(SystemShape shape) => FaultsOn(shape).ToCatalogue();

    /// <summary>The brokers of the system's embedded cluster, the partitions of the topics its groups consume, its groups.</summary>
    private static FaultMenu FaultsOn(SystemShape shape) => new(
    [
        new FaultMenuItem(KafkaFaultFactory.BrokerDown, shape.BrokerNames, MinDuration: TimeSpan.FromSeconds(2), MaxDuration: TimeSpan.FromSeconds(5)),
        new FaultMenuItem(KafkaFaultFactory.LeaderMove, [.. ConsumedTopics(shape).SelectMany(t => Enumerable.Range(0, t.Partitions).Select(p => $"{t.Name}/{p}"))], MinDuration: TimeSpan.FromSeconds(2), MaxDuration: TimeSpan.FromSeconds(6)),
        new FaultMenuItem(KafkaFaultFactory.CoordinatorMove, [.. shape.ConsumerGroups.Select(g => g.Group).Distinct(StringComparer.Ordinal)], Parameters: new Dictionary<string, IReadOnlyList<string>> { ["to"] = [.. Enumerable.Range(1, shape.Brokers).Select(b => b.ToString(CultureInfo.InvariantCulture))] }),
        new FaultMenuItem(KafkaFaultFactory.RequestErrors, ["Produce", "Fetch", "OffsetCommit"], MinDuration: TimeSpan.FromSeconds(2), MaxDuration: TimeSpan.FromSeconds(4), Parameters: new Dictionary<string, IReadOnlyList<string>> { ["count"] = ["4", "8"] }),
        new FaultMenuItem(KafkaFaultFactory.BrokerRtt, [.. shape.BrokerNames, "all"], MinDuration: TimeSpan.FromSeconds(2), MaxDuration: TimeSpan.FromSeconds(6), Parameters: new Dictionary<string, IReadOnlyList<string>> { ["rtt"] = ["50", "150", "300"] }),
    ]);

    private static SystemShape ReferenceShape => ReferenceSystemAdapter.Instance.ShapeFor(new SystemRequirements());

    /// <summary>The topics the system's consumer groups read, in the groups' order (the reference system: fanout, jobs).</summary>
    private static List<KafkaTopic> ConsumedTopics(SystemShape shape) =>
        [.. shape.ConsumerGroups.Select(g => g.Topic).Distinct(StringComparer.Ordinal).Select(name => shape.Topics.First(t => t.Name == name))];

    public override FaultSchedule BuildSchedule(long seed, TimeSpan duration) => BuildSchedule(seed, duration, ReferenceShape);

    /// <summary>
    /// A scripted timeline — every kind of broker fault at least once — with brokers and partitions drawn from the seed,
    /// on the system's own brokers, first consumed topic and groups (the reference system's timelines are those it had
    /// when they named fanout, notifier and jobs outright).
    /// </summary>
    public override FaultSchedule BuildSchedule(long seed, TimeSpan duration, SystemShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var topic = ConsumedTopics(shape) is [var first, ..] ? first : throw new ArgumentException($"{Name} needs a system whose consumer groups read a topic", nameof(shape));
        var groups = shape.ConsumerGroups.Select(g => g.Group).Distinct(StringComparer.Ordinal).ToList();
        var d = duration.TotalMilliseconds;
        var entries = new List<FaultScheduleEntry>();
        string Broker(int salt) => $"broker-{1 + SeedPick.Of(seed, salt, shape.Brokers)}";
        string To(int salt) => (1 + SeedPick.Of(seed, salt, shape.Brokers)).ToString(CultureInfo.InvariantCulture);
        Add(Math.Max(1000, 0.05 * d), KafkaFaultFactory.BrokerDown, Broker(1), Math.Max(2000, 0.15 * d));
        Add(0.25 * d, KafkaFaultFactory.LeaderMove, $"{topic.Name}/{SeedPick.Of(seed, 2, topic.Partitions)}", 0.2 * d);
        Add(0.3 * d, KafkaFaultFactory.CoordinatorMove, groups[0], null, ("to", To(3)));
        Add(0.4 * d, KafkaFaultFactory.RequestErrors, "Produce", 0.15 * d, ("count", "6"));
        Add(0.5 * d, KafkaFaultFactory.RequestErrors, "OffsetCommit", 0.15 * d, ("count", "4"));
        Add(0.6 * d, KafkaFaultFactory.BrokerRtt, Broker(4), 0.2 * d, ("rtt", "150"));
        Add(0.7 * d, KafkaFaultFactory.CoordinatorMove, groups[1 % groups.Count], null, ("to", To(5)));
        Add(0.8 * d, KafkaFaultFactory.RequestErrors, "Fetch", 0.1 * d, ("count", "6"));
        // fetch refused for good: librdkafka hands the error to the application instead of retrying it away, so the
        // consumers' consume-error branches run (docs/failure-paths.md); healed with the retriable ones above
        Add(0.85 * d, KafkaFaultFactory.RequestErrors, "Fetch", 0.04 * d, ("count", "4"), ("kind", "non-retriable"));
        // produce refused for good (an ACL removed): the clients' own failure paths run — the outbox relay's and the
        // notifier's failed-produce branches, which broker outages shorter than message.timeout.ms never reach
        Add(0.9 * d, KafkaFaultFactory.RequestErrors, "Produce", 0.08 * d, ("count", "6"), ("kind", "non-retriable"));
        return new FaultSchedule(entries, duration) { Seed = seed, Scenario = Name };

        void Add(double at, string fault, string target, double? length, params (string Key, string Value)[] parameters)
        {
            if (at >= d)
            {
                return;
            }

            TimeSpan? span = length is { } l ? TimeSpan.FromMilliseconds(Math.Floor(Math.Min(l, d - at))) : null;
            entries.Add(new FaultScheduleEntry(TimeSpan.FromMilliseconds(Math.Floor(at)), fault, target, span, parameters.ToDictionary(p => p.Key, p => p.Value)));
        }
    }

    public override IFault CreateFault(FaultScheduleEntry entry, RunContext context) =>
        KafkaFaultFactory.Create(entry, context) ?? base.CreateFault(entry, context);

    public override async Task RunFaultPhaseAsync(RunContext context, TimeSpan duration, CancellationToken cancellationToken)
    {
        await base.RunFaultPhaseAsync(context, duration, cancellationToken);
        // Proof that traffic went on after the last heal, from the harness's own observations (not the notifiers'
        // counters): best, a message sent after the heal reaches a device (api, Kafka, notifier, gateway); at least, one
        // is acknowledged by the api — then whether it arrives is the loss checkers' to judge (a broken promise, exit 1),
        // not a sign that the faults did nothing.
        var state = context.State<RunState>();
        state.SentAtHeal = context.Workload.SendsStarted;
        var start = context.TimeProvider.GetTimestamp();
        while (context.TimeProvider.GetElapsedTime(start) < AfterHealBound)
        {
            state.HighestDelivered = context.Workload.Counters.HighestDeliveredSend;
            state.HighestAcknowledged = context.Workload.Counters.HighestAcknowledgedSend;
            if (state.HighestDelivered > state.SentAtHeal)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), context.TimeProvider, cancellationToken);
        }
    }

    protected override string? FaultsTookEffect(RunContext context)
    {
        var state = context.StateOrNull<RunState>();
        return Explain(context.Schedule, context.Nemesis.Applied, state?.SentAtHeal ?? 0, state?.HighestDelivered ?? 0, state?.HighestAcknowledged ?? 0);
    }

    /// <summary>
    /// Null when every scheduled broker fault was acknowledged by the cluster and a message sent after the heal (numbered
    /// above <paramref name="sentAtHeal"/>) reached a device (<paramref name="highestDelivered"/>: the highest such
    /// number a device recorded) or was at least acknowledged by the api (<paramref name="highestAcknowledged"/>).
    /// </summary>
    internal static string? Explain(FaultSchedule schedule, IReadOnlyList<AppliedFault> applied, long sentAtHeal, long highestDelivered, long highestAcknowledged)
    {
        var missing = new List<string>();
        foreach (var kind in schedule.Entries.Select(e => e.Fault).Distinct(StringComparer.Ordinal))
        {
            var tries = applied.Where(a => a.Name == kind).ToList();
            if (!tries.Any(a => a.TookHold))
            {
                missing.Add(tries.Count == 0 ? $"{kind} was never applied" : $"{kind} was refused ({tries[0].Error})");
            }
        }

        // the refusals for good share request-errors' name with the retriable ones: each must itself have taken hold,
        // or a run where only the retriable pushes landed would count the clients' failure paths as exercised
        foreach (var refusal in schedule.Entries.Where(e => e.Parameters.GetValueOrDefault("kind") == "non-retriable"))
        {
            if (!applied.Any(a => a.Name == refusal.Fault && a.Target == refusal.Target && a.PlannedAt == refusal.At && a.TookHold))
            {
                missing.Add($"{refusal.Fault} on {refusal.Target} at {DurationText.Format(refusal.At)} (non-retriable) did not take hold");
            }
        }

        if (highestDelivered <= sentAtHeal && highestAcknowledged <= sentAtHeal)
        {
            missing.Add($"no message sent after the faults were healed was acknowledged or reached a device within {AfterHealBound.TotalSeconds:0} s (sends up to m{sentAtHeal} at the heal; highest acknowledged m{highestAcknowledged}, delivered m{highestDelivered})");
        }

        return missing.Count == 0 ? null : string.Join("; ", missing);
    }

    private sealed class RunState
    {
        public long SentAtHeal { get; set; }

        public long HighestDelivered { get; set; }

        public long HighestAcknowledged { get; set; }
    }
}
