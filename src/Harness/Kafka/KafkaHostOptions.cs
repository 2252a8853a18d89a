using System.Net;

namespace Chaos.Harness.Kafka;

/// <summary>What <c>chaos kafka</c> starts. Argument names in errors are the command-line option names.</summary>
public sealed record KafkaHostOptions
{
    /// <summary>Brokers of the cluster (ids 1..Brokers).</summary>
    public int Brokers { get; init; } = 3;

    /// <summary>Topics created before the bootstrap line is printed.</summary>
    public IReadOnlyList<KafkaTopicSpec> Topics { get; init; } = [];

    /// <summary>When set, the bootstrap servers are also written to this file (atomically, by rename).</summary>
    public string? BootstrapFile { get; init; }

    /// <summary>Port of the control channel on 127.0.0.1; 0 picks a free one.</summary>
    public int ControlPort { get; init; }

    /// <summary>group.initial.rebalance.delay.ms of classic groups; null keeps librdkafka's 3000.</summary>
    public int? InitialRebalanceDelayMs { get; init; }

    /// <summary>
    /// Records older than this are deleted, never past what a protecting group has committed (see
    /// <see cref="MockRetention"/>); null keeps everything (librdkafka's own limits aside).
    /// </summary>
    public TimeSpan? Retention { get; init; }

    /// <summary>The groups protecting each topic from <see cref="Retention"/>; only topics named here are trimmed.</summary>
    public IReadOnlyList<KafkaRetentionGroup> RetentionGroups { get; init; } = [];

    /// <summary>Throws <see cref="ArgumentException"/> naming the option when anything is out of range.</summary>
    public void Validate()
    {
        if (Brokers is < 1 or > MockCluster.MaxBrokers)
        {
            throw new ArgumentOutOfRangeException("brokers", Brokers, $"--brokers must be 1..{MockCluster.MaxBrokers}.");
        }

        if (ControlPort is < 0 or > IPEndPoint.MaxPort)
        {
            throw new ArgumentOutOfRangeException("control-port", ControlPort, "--control-port must be 0..65535 (0 picks a free port).");
        }

        if (InitialRebalanceDelayMs is { } delay)
        {
            KafkaArguments.ValidateMilliseconds(delay, "initial-rebalance-delay-ms");
        }

        if (BootstrapFile is { } file && (file.Length == 0 || Directory.Exists(file)))
        {
            throw new ArgumentException($"--bootstrap-file '{file}' must name a file.", "bootstrap-file");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var topic in Topics)
        {
            KafkaArguments.ValidateTopicName(topic.Name, "topic");
            if (!seen.Add(topic.Name))
            {
                throw new ArgumentException($"--topic '{topic.Name}' is given twice.", "topic");
            }

            if (topic.Partitions < 1)
            {
                throw new ArgumentException($"--topic '{topic.Name}': partitions must be positive, not {topic.Partitions}.", "topic");
            }

            if (topic.ReplicationFactor is { } rf && (rf < 1 || rf > Brokers))
            {
                throw new ArgumentException($"--topic '{topic.Name}': replication factor {rf} must be 1..{Brokers} (--brokers).", "topic");
            }
        }

        if (Retention is { } retention && retention <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException("retention", retention, "--retention must be a positive duration.");
        }

        foreach (var protection in RetentionGroups)
        {
            if (Retention is null)
            {
                throw new ArgumentException($"--retention-group '{protection.Topic}={protection.Group}' needs --retention.", "retention-group");
            }

            KafkaArguments.ValidateTopicName(protection.Topic, "retention-group");
            if (!seen.Contains(protection.Topic))
            {
                throw new ArgumentException($"--retention-group '{protection.Topic}={protection.Group}': topic '{protection.Topic}' is not created by --topic.", "retention-group");
            }

            if (string.IsNullOrWhiteSpace(protection.Group))
            {
                throw new ArgumentException($"--retention-group '{protection.Topic}=': the group must not be empty.", "retention-group");
            }
        }
    }
}
