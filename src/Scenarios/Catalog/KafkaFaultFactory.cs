using System.Globalization;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Kafka;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Kafka;
using Chaos.Harness.Runs;

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

    /// <summary>The fault for <paramref name="entry"/>, or null when it names no Kafka fault.</summary>
    public static IFault? Create(FaultScheduleEntry entry, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(context);
        var kafka = context.System.KafkaControl;
        return entry.Fault switch
        {
            BrokerDown => new BrokerDownFault(kafka, BrokerIds.Parse(entry.Target)),
            BrokerRtt => new BrokerRttFault(kafka, BrokerIds.Parse(entry.Target), TimeSpan.FromMilliseconds(Int(entry, "rtt", 100))),
            RequestErrors => RequestErrorsFor(entry, kafka),
            LeaderMove => LeaderMoveFor(entry, kafka),
            CoordinatorMove => new CoordinatorMoveFault(kafka, entry.Target, Int(entry, "to", 1)),
            ScaleOut => new ConsumerScaleOutFault(context.System, entry.Target),
            ScaleIn => new ConsumerScaleInFault(ConsumerNode(entry, context)),
            Zombie => new ZombieConsumerFault(ConsumerNode(entry, context), context.TimeProvider),
            Replay => new RecordReplayFault(context.System.BootstrapServers, entry.Target, Int(entry, "count", 50), context.Seed + (long)entry.At.TotalMilliseconds),
            OffsetRewind => new OffsetRewindFault(context.System, entry.Target, Int(entry, "records", 20)),
            _ => null,
        };
    }

    private static RequestErrorsFault RequestErrorsFor(FaultScheduleEntry entry, IKafkaFaults kafka)
    {
        if (!Enum.TryParse<KafkaApiKey>(entry.Target, ignoreCase: false, out var api) || !Enum.IsDefined(api))
        {
            throw new ArgumentException($"request-errors: '{entry.Target}' is not an API key ({string.Join(", ", Enum.GetNames<KafkaApiKey>())})");
        }

        var count = Int(entry, "count", 5);
        return new RequestErrorsFault(kafka, api, RetriableKind(entry) ? RequestErrorsFault.Retriable(api, count) : RequestErrorsFault.NonRetriable(api, count));
    }

    private static PartitionLeaderMoveFault LeaderMoveFor(FaultScheduleEntry entry, IKafkaFaults kafka)
    {
        var slash = entry.Target.LastIndexOf('/');
        if (slash <= 0 || !int.TryParse(entry.Target.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var partition))
        {
            throw new ArgumentException($"leader-move: '{entry.Target}' is not topic/partition");
        }

        int? to = entry.Parameters.ContainsKey("to") ? Int(entry, "to", 1) : null;
        return new PartitionLeaderMoveFault(kafka, entry.Target[..slash], partition, to);
    }

    private static Harness.Topology.ITopologyNode ConsumerNode(FaultScheduleEntry entry, RunContext context)
    {
        var node = context.System.InstancesOf("notifier").Concat(context.System.InstancesOf("jobs")).FirstOrDefault(n => n.Name == entry.Target);
        return node ?? throw new ArgumentException($"{entry.Fault}: '{entry.Target}' is not a notifier or jobs instance");
    }

    /// <summary>The parameters each Kafka fault takes (docs/faults.md, "Kafka faults").</summary>
    private static readonly Dictionary<string, string[]> KnownParameters = new(StringComparer.Ordinal)
    {
        [BrokerDown] = [], [BrokerRtt] = ["rtt"], [RequestErrors] = ["count", "kind"], [LeaderMove] = ["to"],
        [CoordinatorMove] = ["to"], [ScaleOut] = [], [ScaleIn] = [], [Zombie] = [], [Replay] = ["count"], [OffsetRewind] = ["records"],
    };

    /// <summary>
    /// Checks a Kafka fault's parameters while a schedule file is read (no cluster needed), so an unknown or bad one
    /// is an error naming it instead of being ignored; entries naming other faults are left alone.
    /// </summary>
    public static void Validate(FaultScheduleEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!KnownParameters.TryGetValue(entry.Fault, out var known))
        {
            return;
        }

        if (entry.Parameters.Keys.FirstOrDefault(k => !known.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            throw new ArgumentException(known.Length == 0
                ? $"parameters.{unknown}: {entry.Fault} takes no parameters"
                : $"parameters.{unknown}: unknown {entry.Fault} parameter (known: {string.Join(", ", known)})");
        }

        foreach (var name in known.Where(k => k != "kind" && entry.Parameters.ContainsKey(k)))
        {
            Int(entry, name, 0);
        }

        if (entry.Fault == RequestErrors)
        {
            RetriableKind(entry);
        }
    }

    private static bool RetriableKind(FaultScheduleEntry entry) =>
        !entry.Parameters.TryGetValue("kind", out var kind) || kind switch
        {
            "retriable" => true,
            "non-retriable" => false,
            _ => throw new ArgumentException($"parameters.kind: '{kind}' is not retriable or non-retriable"),
        };

    private static int Int(FaultScheduleEntry entry, string name, int fallback) =>
        !entry.Parameters.TryGetValue(name, out var text) ? fallback
        : int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value
        : throw new ArgumentException($"parameters.{name}: '{text}' is not an integer ({entry.Fault})");
}
