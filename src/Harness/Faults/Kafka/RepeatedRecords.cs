using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>
/// Reads a topic whole, from outside any consumer group, and counts the records produced more than once: the same
/// identity (the record's key and a string field of its JSON value) appended by two separate produce calls. Two
/// appends are told from one request sent twice by their producer timestamps: the client stamps a record when the
/// application produces it and a retried request carries the stamp unchanged, so equal stamps may be one produce call
/// retried by the client, and are not counted. This is the harness's own witness that a consumer handled a record
/// again (docs/scenarios.md, consumer-kill-mid-batch): on the reference system a notifier that handles a fan-out record
/// a second time produces its deliveries again, deduplicated or not.
/// </summary>
public static class RepeatedRecords
{
    /// <summary>What the read found: the records read, how many identities were produced more than once, a few of them.</summary>
    public sealed record Result(long Records, long Repeated, IReadOnlyList<string> Examples);

    /// <summary>
    /// Reads every partition of <paramref name="topic"/> from its log start to the high watermark taken when the
    /// read starts; identities are <c>key/value.<paramref name="idField"/></c>. Gives up with a
    /// <see cref="TimeoutException"/> past <paramref name="timeout"/> (a partial read must not pass for a whole one).
    /// </summary>
    public static Result Read(string bootstrapServers, string topic, string idField, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentException.ThrowIfNullOrWhiteSpace(idField);
        var clock = Stopwatch.StartNew();
        using var consumer = new ConsumerBuilder<string?, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrapServers,
            GroupId = $"chaos-repeats-{Guid.NewGuid():N}", // never joined nor committed: the records are only read
            EnableAutoCommit = false,
            AllowAutoCreateTopics = false,
            EnablePartitionEof = true,
        }).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.SingleOrDefault(t => t.Topic == topic)?.Partitions
            ?? throw new ArgumentException($"topic {topic} does not exist", nameof(topic));
        var ends = new Dictionary<int, long>();
        var starts = new List<TopicPartitionOffset>();
        foreach (var p in partitions)
        {
            var tp = new TopicPartition(topic, p.PartitionId);
            var marks = consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10));
            if (marks.High.Value > marks.Low.Value)
            {
                ends[p.PartitionId] = marks.High.Value;
                starts.Add(new TopicPartitionOffset(tp, marks.Low));
            }
        }

        var first = new Dictionary<string, long>(StringComparer.Ordinal);
        var repeated = new HashSet<string>(StringComparer.Ordinal);
        long records = 0;
        consumer.Assign(starts);
        while (ends.Count > 0)
        {
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"reading {topic} took longer than {timeout.TotalSeconds:0} s ({records} records read, {ends.Count} partition(s) unfinished)");
            }

            var result = consumer.Consume(left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
            if (result is null)
            {
                continue;
            }

            var partition = result.Partition.Value;
            if (!ends.TryGetValue(partition, out var end))
            {
                continue; // appended after the read began, to a partition already read to its mark
            }

            if (!result.IsPartitionEOF)
            {
                records++;
                if (Identity(result.Message, idField) is { } identity)
                {
                    var stamp = result.Message.Timestamp.UnixTimestampMs;
                    if (!first.TryAdd(identity, stamp) && first[identity] != stamp)
                    {
                        repeated.Add(identity);
                    }
                }
            }

            if (result.IsPartitionEOF || result.Offset.Value + 1 >= end)
            {
                ends.Remove(partition);
            }
        }

        return new Result(records, repeated.Count, [.. repeated.Order(StringComparer.Ordinal).Take(3)]);
    }

    private static string? Identity(Message<string?, byte[]> message, string idField)
    {
        try
        {
            using var value = JsonDocument.Parse(message.Value);
            return value.RootElement.ValueKind == JsonValueKind.Object
                && value.RootElement.TryGetProperty(idField, out var id) && id.ValueKind == JsonValueKind.String
                ? $"{message.Key}/{id.GetString()}"
                : null;
        }
        catch (JsonException)
        {
            return null; // not a record of the shape asked about: not an identity, and so never a repeat
        }
    }
}
