using Confluent.Kafka;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>Reads and rewinds a consumer group's committed offsets from outside the group (OffsetFetch / OffsetCommit).</summary>
public static class GroupOffsets
{
    /// <summary>
    /// How far <paramref name="group"/> is behind on <paramref name="topic"/>: the records between each partition's
    /// committed offset (the log start where the group has committed none: it reads from the earliest) and its high
    /// watermark, summed. Zero means the group has consumed and committed everything appended so far.
    /// </summary>
    public static long Lag(string bootstrapServers, string group, string topic)
    {
        using var consumer = OutsideClient(bootstrapServers, group);
        long lag = 0;
        foreach (var c in consumer.Committed(Partitions(consumer, topic), TimeSpan.FromSeconds(10)))
        {
            var marks = consumer.QueryWatermarkOffsets(c.TopicPartition, TimeSpan.FromSeconds(10));
            lag += Math.Max(0, marks.High.Value - (c.Offset.Value >= 0 ? c.Offset.Value : marks.Low.Value));
        }

        return lag;
    }

    /// <summary>
    /// How many of the records below <paramref name="marks"/> (per partition, e.g. <see cref="TopicRecords.HighWatermarks"/>
    /// taken earlier) <paramref name="group"/> has not yet consumed and committed. Zero means the group has committed past
    /// every record appended by the time the marks were taken, whatever was appended since.
    /// </summary>
    public static long Behind(string bootstrapServers, string group, string topic, IReadOnlyDictionary<int, long> marks)
    {
        ArgumentNullException.ThrowIfNull(marks);
        using var consumer = OutsideClient(bootstrapServers, group);
        long behind = 0;
        foreach (var c in consumer.Committed(Partitions(consumer, topic), TimeSpan.FromSeconds(10)))
        {
            if (marks.TryGetValue(c.Partition.Value, out var mark))
            {
                var from = c.Offset.Value >= 0 ? c.Offset.Value : consumer.QueryWatermarkOffsets(c.TopicPartition, TimeSpan.FromSeconds(10)).Low.Value;
                behind += Math.Max(0, mark - from);
            }
        }

        return behind;
    }

    /// <summary>
    /// Moves the committed offset of every partition of <paramref name="topic"/> back by <paramref name="records"/>
    /// (not below the log start); partitions without a committed offset are left alone. Returns how many records the
    /// group will read again. Commit only while the group has no members: a live member overwrites it at its next commit.
    /// </summary>
    public static long Rewind(string bootstrapServers, string group, string topic, int records)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(records, 1);
        using var consumer = OutsideClient(bootstrapServers, group);
        var partitions = Partitions(consumer, topic);
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

    /// <summary>A client of <paramref name="group"/> that never subscribes: it reads and commits as a group-less client (generation −1).</summary>
    private static IConsumer<Ignore, Ignore> OutsideClient(string bootstrapServers, string group)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        return new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = group,
            EnableAutoCommit = false,
            AllowAutoCreateTopics = false,
        }).Build();
    }

    private static List<TopicPartition> Partitions(IConsumer<Ignore, Ignore> consumer, string topic)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        return admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.SingleOrDefault(t => t.Topic == topic)?.Partitions
            .Select(p => new TopicPartition(topic, p.PartitionId)).ToList()
            ?? throw new ArgumentException($"topic {topic} does not exist", nameof(topic));
    }
}
