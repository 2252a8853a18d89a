using Confluent.Kafka;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>Reads and rewinds a consumer group's committed offsets from outside the group (OffsetFetch / OffsetCommit).</summary>
public static class GroupOffsets
{
    /// <summary>
    /// Moves the committed offset of every partition of <paramref name="topic"/> back by <paramref name="records"/>
    /// (not below the log start); partitions without a committed offset are left alone. Returns how many records the
    /// group will read again. Commit only while the group has no members: a live member overwrites it at its next commit.
    /// </summary>
    public static long Rewind(string bootstrapServers, string group, string topic, int records)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(records, 1);
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = group, // never subscribes: commits as a group-less client (generation -1)
            EnableAutoCommit = false,
            AllowAutoCreateTopics = false,
        }).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.SingleOrDefault(t => t.Topic == topic)?.Partitions
            .Select(p => new TopicPartition(topic, p.PartitionId)).ToList()
            ?? throw new ArgumentException($"topic {topic} does not exist", nameof(topic));
        var committed = consumer.Committed(partitions, TimeSpan.FromSeconds(10));
        var rewound = new List<TopicPartitionOffset>();
        long total = 0;
        foreach (var c in committed.Where(c => c.Offset.Value >= 0))
        {
            var low = consumer.QueryWatermarkOffsets(c.TopicPartition, TimeSpan.FromSeconds(10)).Low.Value;
            var to = Math.Max(low, c.Offset.Value - records);
            total += c.Offset.Value - to;
            rewound.Add(new TopicPartitionOffset(c.TopicPartition, to));
        }

        if (rewound.Count > 0)
        {
            consumer.Commit(rewound);
        }

        return total;
    }
}
