using Chaos.Reference.Observability;
using Confluent.Kafka;

namespace Chaos.Reference.Hosting;

/// <summary>Kafka client settings shared by every role, tuned for the embedded mock cluster and loopback latency.</summary>
internal sealed class KafkaClients(SystemOptions options, SystemMetrics metrics)
{
    /// <summary>
    /// Ordered, acknowledged producer: max one request in flight per connection so a retried batch cannot overtake a
    /// later one (the mock broker does not enforce idempotent-producer sequence numbers).
    /// </summary>
    public IProducer<string?, string> CreateProducer(string name) =>
        new ProducerBuilder<string?, string>(new ProducerConfig
        {
            BootstrapServers = options.Kafka,
            ClientId = $"{options.Instance}-{name}",
            Acks = Acks.All,
            EnableIdempotence = false,
            MaxInFlight = 1,
            LingerMs = 2,
            MessageTimeoutMs = 60_000,
            SocketKeepaliveEnable = true,
        }).Build();

    /// <summary>
    /// Group consumer: manual commits after the effect; every member of a group must use the same assignment strategy
    /// (the mock aborts otherwise), so it is fixed here.
    /// </summary>
    public IConsumer<string?, string> CreateGroupConsumer(string group, Action<IConsumer<string?, string>, List<TopicPartition>>? assigned = null) =>
        new ConsumerBuilder<string?, string>(new ConsumerConfig
        {
            BootstrapServers = options.Kafka,
            GroupId = group,
            ClientId = $"{options.Instance}-{group}",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.Range,
            SessionTimeoutMs = options.SessionTimeoutMs,
            HeartbeatIntervalMs = Math.Max(100, options.SessionTimeoutMs / 6),
            FetchWaitMaxMs = 20,
            AllowAutoCreateTopics = false,
        })
        .SetPartitionsAssignedHandler((c, p) =>
        {
            // Counted so a harness can prove a rebalance happened (the assignment changed), not merely that it was asked for.
            FailurePaths.PartitionsAssigned.Hit();
            metrics.Assignments.Add(1);
            metrics.SetAssignedPartitions(p.Count);
            assigned?.Invoke(c, p);
        })
        .SetPartitionsRevokedHandler((_, p) =>
        {
            FailurePaths.PartitionsRevoked.Hit();
            metrics.Revocations.Add(1);
        })
        .SetPartitionsLostHandler((_, p) =>
        {
            FailurePaths.PartitionsLost.Hit();
            metrics.Lost.Add(1); // evicted: e.g. frozen past the session timeout
        })
        .Build();

    /// <summary>A group-less consumer for the gateway backplane (manual assignment of every partition).</summary>
    public IConsumer<string?, string> CreateAssignedConsumer(string name) =>
        new ConsumerBuilder<string?, string>(new ConsumerConfig
        {
            BootstrapServers = options.Kafka,
            GroupId = $"{options.TopicPrefix}{name}-{options.Instance}-{Guid.NewGuid():N}",
            ClientId = $"{options.Instance}-{name}",
            EnableAutoCommit = false,
            FetchWaitMaxMs = 20,
            AllowAutoCreateTopics = false,
        }).Build();

    public IAdminClient CreateAdmin() => new AdminClientBuilder(new AdminClientConfig { BootstrapServers = options.Kafka }).Build();
}
