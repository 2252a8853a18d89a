using Confluent.Kafka;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>What a topic holds, read from outside any consumer group: how many records were ever appended (the sum of its
/// partitions' high watermarks) and the records themselves.</summary>
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

    /// <summary>
    /// Every record of <paramref name="topic"/> from each partition's log start to the high watermark taken when the read
    /// began, in partition and offset order, read by an assigned consumer that joins no group and commits nothing. Blocks
    /// until the last record is read or <paramref name="cancellationToken"/> is cancelled (then throws).
    /// </summary>
    public static IReadOnlyList<TopicRecord> ReadAll(string bootstrapServers, string topic, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        using var consumer = new ConsumerBuilder<string?, string?>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"chaos-reader-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            AllowAutoCreateTopics = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.SingleOrDefault(t => t.Topic == topic && t.Error.Code == ErrorCode.NoError)?.Partitions;
        if (partitions is null or { Count: 0 })
        {
            // an empty answer is not an empty topic: a missing topic must not read as "no records"
            throw new ArgumentException($"topic {topic} does not exist", nameof(topic));
        }

        var ends = new Dictionary<int, long>();
        var starts = new List<TopicPartitionOffset>();
        foreach (var p in partitions)
        {
            var marks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p.PartitionId), TimeSpan.FromSeconds(10));
            if (marks.High.Value > marks.Low.Value)
            {
                ends[p.PartitionId] = marks.High.Value;
                starts.Add(new TopicPartitionOffset(topic, p.PartitionId, marks.Low));
            }
        }

        var records = new List<TopicRecord>();
        consumer.Assign(starts);
        while (ends.Count > 0)
        {
            var consumed = consumer.Consume(cancellationToken);
            var partition = consumed.Partition.Value;
            if (consumed.IsPartitionEOF || !ends.TryGetValue(partition, out var end))
            {
                continue;
            }

            if (consumed.Offset.Value < end)
            {
                records.Add(new TopicRecord(partition, consumed.Offset.Value, consumed.Message.Key, consumed.Message.Value));
            }

            // past the end mark (records appended since the read began, or a log trimmed under the read): this partition is done
            if (consumed.Offset.Value + 1 >= end)
            {
                ends.Remove(partition);
            }
        }

        consumer.Close();
        return [.. records.OrderBy(r => r.Partition).ThenBy(r => r.Offset)];
    }
}
