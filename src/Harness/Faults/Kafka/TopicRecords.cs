using Confluent.Kafka;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>How many records a topic holds: the sum of its partitions' high watermarks (what was ever appended).</summary>
public static class TopicRecords
{
    /// <summary>Sums the high watermarks of every partition of <paramref name="topic"/>; blocks for at most a few seconds per partition.</summary>
    public static long Count(string bootstrapServers, string topic) => HighWatermarks(bootstrapServers, topic).Values.Sum();

    /// <summary>Each partition's high watermark now: the offset the next record appended to it will get.</summary>
    public static IReadOnlyDictionary<int, long> HighWatermarks(string bootstrapServers, string topic)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"chaos-watermarks-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            AllowAutoCreateTopics = false,
        }).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.SingleOrDefault(t => t.Topic == topic)?.Partitions
            ?? throw new ArgumentException($"topic {topic} does not exist", nameof(topic));
        return partitions.ToDictionary(p => p.PartitionId, p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p.PartitionId), TimeSpan.FromSeconds(10)).High.Value);
    }
}
