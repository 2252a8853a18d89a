using Chaos.Harness.Kafka;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Deployment;

/// <summary>
/// The Kafka a deployed system uses (docs/architecture.md, "The deployment seam"): where it is, the topics the system
/// expects and the consumer groups its roles form — what the drain's lag check, the record faults (replay, rewind,
/// topic refused) and the rebalance waits read. <see cref="Control"/> and <see cref="Node"/> are set only for the
/// embedded cluster a run starts itself (docs/embedded-kafka.md): the broker faults need its control channel.
/// </summary>
public sealed record SystemKafka(string BootstrapServers, IReadOnlyList<KafkaTopic> Topics, IReadOnlyList<KafkaConsumerGroup> ConsumerGroups)
{
    /// <summary>The embedded cluster's fault control channel; null for a cluster the run did not start.</summary>
    public KafkaControlClient? Control { get; init; }

    /// <summary>The embedded cluster's host node; null for a cluster the run did not start.</summary>
    public ITopologyNode? Node { get; init; }

    /// <summary>The consumer group <paramref name="role"/>'s instances form, or null when the role forms none.</summary>
    public KafkaConsumerGroup? GroupOf(string role) => ConsumerGroups.FirstOrDefault(g => g.Role == role);

    /// <summary>The embedded cluster's control channel, or an error naming <paramref name="needer"/>, which needs it.</summary>
    public KafkaControlClient RequireControl(string needer) =>
        Control ?? throw new InvalidOperationException($"{needer} needs the embedded Kafka's control channel; this run's Kafka ({BootstrapServers}) was not started by it");
}

/// <summary>A topic the system expects, with its partition count.</summary>
public sealed record KafkaTopic(string Name, int Partitions);

/// <summary>A consumer group: the role whose instances form it, its name, and the topic it consumes.</summary>
public sealed record KafkaConsumerGroup(string Role, string Group, string Topic);
