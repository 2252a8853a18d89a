using System.Globalization;
using Chaos.Harness;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Kafka;
using Chaos.Harness.Faults.Kinds;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Kafka;
using Chaos.Harness.Runs;
using Chaos.Reference.Adapter;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// Turns a schedule entry naming a Kafka fault into the fault, against the run's embedded cluster and topology — the one
/// mapping the Kafka scenarios and incident files share. Names, targets and parameters: docs/faults.md.
/// </summary>
internal static class KafkaFaultFactory
{
    public const string BrokerDown = "broker-down";
    public const string BrokerRtt = "broker-rtt";
    public const string RequestErrors = "request-errors";
    public const string LeaderMove = "leader-move";
    public const string CoordinatorMove = "coordinator-move";
    public const string ScaleOut = "scale-out";
    public const string ScaleIn = "scale-in";
    public const string Zombie = "zombie-consumer";
    public const string Replay = "replay";
    public const string OffsetRewind = "offset-rewind";
    public const string TopicRefused = "topic-refused";

    /// <summary>The fault for <paramref name="entry"/>, or null when it names no Kafka fault.</summary>
    public static IFault? Create(FaultScheduleEntry entry, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(context);
        var system = context.System;
        // the broker faults act through the embedded cluster's control channel; the others on any Kafka
        IKafkaFaults Control() => system.Kafka.RequireControl(entry.Fault);
        return entry.Fault switch
        {
            BrokerDown => new BrokerDownFault(Control(), BrokerIds.Parse(entry.Target)),
            BrokerRtt => new BrokerRttFault(Control(), BrokerIds.Parse(entry.Target), TimeSpan.FromMilliseconds(Int(entry, "rtt"))),
            RequestErrors => RequestErrorsFor(entry, Control()),
            LeaderMove => LeaderMoveFor(entry, Control()),
            CoordinatorMove => new CoordinatorMoveFault(Control(), entry.Target, Int(entry, "to")),
            ScaleOut => new ConsumerScaleOutFault(context.System, entry.Target, async (node, ct) => (await RoleMetrics.TryReadAsync(node, ct))?.Counter("refsys.consumer.assignments")),
            ScaleIn => new ConsumerScaleInFault(ConsumerNode(entry, context)),
            Zombie => new ZombieConsumerFault(ConsumerNode(entry, context), context.TimeProvider),
            Replay => new RecordReplayFault(system.Kafka.BootstrapServers, entry.Target, Int(entry, "count"), SeedStreams.Derive(context.Seed, SeedStreams.Replay, (long)entry.At.TotalMilliseconds)),
            OffsetRewind => new OffsetRewindFault(context.System, entry.Target, Int(entry, "records")),
            TopicRefused => new TopicRefusedFault(Control(), TopicOf(entry), Int(entry, "count"), [.. system.Kafka.ConsumerGroups.Select(g => g.Group)]),
            _ => null,
        };
    }

    private static RequestErrorsFault RequestErrorsFor(FaultScheduleEntry entry, IKafkaFaults kafka)
    {
        var api = ApiKeyOf(entry);
        var count = Int(entry, "count");
        return new RequestErrorsFault(kafka, api, RetriableKind(entry) ? RequestErrorsFault.Retriable(api, count) : RequestErrorsFault.NonRetriable(api, count));
    }

    private static PartitionLeaderMoveFault LeaderMoveFor(FaultScheduleEntry entry, IKafkaFaults kafka)
    {
        var (topic, partition) = PartitionOf(entry);
        var to = (int?)Kind(LeaderMove).Integer(entry, "to");
        return new PartitionLeaderMoveFault(kafka, topic, partition, to);
    }

    /// <summary>request-errors' target, an API key; the kind's check and the factory read it here, once.</summary>
    private static KafkaApiKey ApiKeyOf(FaultScheduleEntry entry) =>
        Enum.TryParse<KafkaApiKey>(entry.Target, ignoreCase: false, out var api) && Enum.IsDefined(api)
            ? api
            : throw new ArgumentException($"target: '{entry.Target}' is not an API key ({string.Join(", ", Enum.GetNames<KafkaApiKey>())}) ({RequestErrors})");

    /// <summary>topic-refused's target, one of the reference system's topics; the kind's check and the factory read it here, once.</summary>
    private static string TopicOf(FaultScheduleEntry entry) =>
        ReferenceSystemOptions.Topics.Any(t => t.Topic == entry.Target)
            ? entry.Target
            : throw new ArgumentException($"target: '{entry.Target}' is not a topic of the system ({string.Join(", ", ReferenceSystemOptions.Topics.Select(t => t.Topic))}) ({TopicRefused})");

    /// <summary>leader-move's target, <c>topic/partition</c>; the kind's check and the factory read it here, once.</summary>
    private static (string Topic, int Partition) PartitionOf(FaultScheduleEntry entry)
    {
        var slash = entry.Target.LastIndexOf('/');
        return slash > 0 && int.TryParse(entry.Target.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
            ? (entry.Target[..slash], partition)
            : throw new ArgumentException($"target: '{entry.Target}' is not topic/partition ({LeaderMove})");
    }

    private static Harness.Topology.ITopologyNode ConsumerNode(FaultScheduleEntry entry, RunContext context)
    {
        var node = context.System.InstancesOf("notifier").Concat(context.System.InstancesOf("jobs")).FirstOrDefault(n => n.Name == entry.Target);
        return node ?? throw new ArgumentException($"{entry.Fault}: '{entry.Target}' is not a notifier or jobs instance");
    }

    private const string Broker = "broker-N or all";
    private const string Instance = "a notifier or jobs instance: notifier-1, jobs-2, …";

    /// <summary>The broker faults act through the embedded cluster's control channel (<see cref="FaultCapabilities.EmbeddedKafka"/>).</summary>
    private static readonly IReadOnlyList<string> Embedded = [FaultCapabilities.EmbeddedKafka];

    /// <summary>The Kafka kinds, each declared once (docs/faults.md, "Kafka faults").</summary>
    public static IReadOnlyList<FaultKind> Kinds { get; } =
    [
        new(BrokerDown, "kafka", Broker, "the broker closes its connections and stops listening; leadership does not move, so its partitions stall until the heal") { Requires = Embedded },
        new(BrokerRtt, "kafka", Broker, "every answer of the broker is delayed",
            [FaultParameter.Integer("rtt", 100, 0, 60_000, "the added round-trip time, in milliseconds")]) { Requires = Embedded },
        new(RequestErrors, "kafka", $"an API key: {string.Join(", ", Enum.GetNames<KafkaApiKey>())}", "the next requests of that type fail with errors of the chosen kind",
        [
            FaultParameter.Integer("count", 5, 1, 100_000, "how many requests fail"),
            FaultParameter.Choice("kind", "retriable", ["retriable", "non-retriable"], "errors a client retries away, or errors that fail the request for good (authorization, invalid request)"),
        ],
        entry => ApiKeyOf(entry)) { Requires = Embedded },
        new(LeaderMove, "kafka", "topic/partition: fanout/0, jobs/3, …", "the partition's leadership moves to another broker (epoch bumped), and back at the heal",
            [FaultParameter.Integer("to", null, 1, 1000, "the new leader's broker id, at most the cluster's broker count (without it, the broker after the current leader)")],
            entry => PartitionOf(entry)) { Requires = Embedded },
        new(CoordinatorMove, "kafka", "a consumer group: notifier or jobs", "the group's coordinator moves to another broker (a failover is not undone)",
            [FaultParameter.Integer("to", 1, 1, 1000, "the new coordinator's broker id, at most the cluster's broker count")]) { Requires = Embedded },
        new(ScaleOut, "kafka", "a consumer role: notifier or jobs", "one more instance joins the group (it rebalances); SIGTERMed at the heal"),
        new(ScaleIn, "kafka", Instance, "SIGTERM: the instance leaves its group; started again at the heal"),
        new(Zombie, "kafka", Instance, "SIGSTOP past the session timeout, so the group evicts it; SIGCONT at the heal wakes it believing it owns its partitions"),
        new(Replay, "kafka", "a topic: fanout or jobs", "a slice of each partition's already-processed records is produced again with the same key, value and headers",
            [FaultParameter.Integer("count", 50, 1, 100_000, "how many records to re-produce")]),
        new(TopicRefused, "kafka", "a topic: fanout, deliveries, jobs or jobs-dlq", "produce requests for that one topic are refused for good (TOPIC_AUTHORIZATION_FAILED: its ACL removed) while every other topic is served: its partitions move to a spare broker that refuses the next requests, and back at the heal",
            [FaultParameter.Integer("count", 3, 1, 100_000, "how many produce requests for the topic are refused")],
            entry => TopicOf(entry)) { Requires = Embedded },
        new(OffsetRewind, "kafka", "a consumer role: notifier or jobs", "the role is stopped, its group's committed offsets moved back, and it is started again to re-read processed records",
            [FaultParameter.Integer("records", 20, 1, 100_000, "how far back, per partition")]),
    ];

    /// <summary>
    /// Checks a Kafka fault's parameters while a schedule file is read (no cluster needed), so an unknown or bad one
    /// is an error naming it instead of being ignored; entries naming other faults are left alone.
    /// </summary>
    public static void Validate(FaultScheduleEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Kinds.FirstOrDefault(k => k.Name == entry.Fault)?.Validate(entry);
    }

    private static FaultKind Kind(string name) => Kinds.First(k => k.Name == name);

    private static bool RetriableKind(FaultScheduleEntry entry) => Kind(RequestErrors).Text(entry, "kind") == "retriable";

    private static int Int(FaultScheduleEntry entry, string name) => (int)Kind(entry.Fault).Integer(entry, name)!.Value;
}
