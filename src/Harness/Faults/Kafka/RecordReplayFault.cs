using System.Diagnostics;
using Confluent.Kafka;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>
/// Duplicate events: already-processed records of a topic are re-published. A slice of each partition's older half is
/// read from the log (a group-less consumer, nothing committed) and produced again, same key, value and headers, to the
/// same partition — what a producer retry, an outbox relay failover or a replay tool does. The consumers must recognise
/// them. Instantaneous: the heal does nothing (published records cannot be taken back). <see cref="Replayed"/> says
/// how many records were re-published.
/// </summary>
public sealed class RecordReplayFault : IFault
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);
    private readonly string _bootstrapServers;
    private readonly int _count;
    private readonly long _seed;
    private int _replayed;

    /// <param name="bootstrapServers">The cluster.</param>
    /// <param name="topic">The topic whose records are re-published.</param>
    /// <param name="count">How many records to re-publish in all (spread over the partitions).</param>
    /// <param name="seed">Picks where in each partition the slice starts.</param>
    public RecordReplayFault(string bootstrapServers, string topic, int count, long seed)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrapServers);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 100_000);
        _bootstrapServers = bootstrapServers;
        Topic = topic;
        _count = count;
        _seed = seed;
    }

    public string Name => "replay";

    public string Target => Topic;

    public string Topic { get; }

    /// <summary>Records re-published by the last apply (0 before it, or when the topic held nothing yet).</summary>
    public int Replayed => Volatile.Read(ref _replayed);

    /// <summary>The slices re-published: partition, first offset, count.</summary>
    public IReadOnlyList<(int Partition, long From, int Count)> Slices { get; private set; } = [];

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var records = await Task.Run(() => ReadSlices(cancellationToken), cancellationToken);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = _bootstrapServers,
            ClientId = "chaos-replay",
            Acks = Acks.All,
            EnableIdempotence = false,
            MaxInFlight = 1,
            LingerMs = 2,
            MessageTimeoutMs = 30_000,
        }).Build();
        var produced = records.Select(r => producer.ProduceAsync(r.TopicPartition, new Message<byte[]?, byte[]?>
        {
            Key = r.Message.Key,
            Value = r.Message.Value,
            Headers = r.Message.Headers,
        }, cancellationToken)).ToList();
        await Task.WhenAll(produced).WaitAsync(TimeSpan.FromSeconds(40), cancellationToken);
        Volatile.Write(ref _replayed, produced.Count);
    }

    public Task HealAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private List<ConsumeResult<byte[]?, byte[]?>> ReadSlices(CancellationToken cancellationToken)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = _bootstrapServers,
            GroupId = $"chaos-replay-{Guid.NewGuid():N}", // never committed: only names the reader
            ClientId = "chaos-replay",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
            FetchWaitMaxMs = 20,
            AllowAutoCreateTopics = false,
            // the embedded Kafka's retention may delete the slice's first records between choosing and reading them:
            // then read from the new start of the log (still older, processed records), never jump to its end
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = admin.GetMetadata(Topic, TimeSpan.FromSeconds(10)).Topics.SingleOrDefault(t => t.Topic == Topic)?.Partitions
            .Select(p => p.PartitionId).Order().ToList()
            ?? throw new ArgumentException($"topic {Topic} does not exist");
        if (partitions.Count == 0)
        {
            throw new ArgumentException($"topic {Topic} has no partitions");
        }

        var random = new Random(unchecked((int)(_seed ^ (_seed >> 32))));
        var perPartition = (_count + partitions.Count - 1) / partitions.Count;
        var slices = new List<(int Partition, long From, int Count)>();
        var remaining = _count;
        foreach (var partition in partitions)
        {
            var marks = consumer.QueryWatermarkOffsets(new TopicPartition(Topic, partition), TimeSpan.FromSeconds(10));
            // the older half of the log: long since processed by the time a fault phase runs
            var olderHalf = (marks.High.Value - marks.Low.Value) / 2;
            var take = (int)Math.Min(Math.Min(perPartition, remaining), olderHalf);
            if (take <= 0)
            {
                continue;
            }

            var from = marks.Low.Value + random.NextInt64(0, olderHalf - take + 1);
            slices.Add((partition, from, take));
            remaining -= take;
        }

        Slices = slices;
        var result = new List<ConsumeResult<byte[]?, byte[]?>>();
        if (slices.Count == 0)
        {
            return result;
        }

        consumer.Assign(slices.Select(s => new TopicPartitionOffset(Topic, s.Partition, s.From)));
        var wanted = slices.ToDictionary(s => s.Partition, s => s.From + s.Count);
        var clock = Stopwatch.StartNew();
        while (wanted.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (clock.Elapsed > ReadTimeout)
            {
                throw new TimeoutException($"reading {Topic} for the replay took longer than {ReadTimeout.TotalSeconds:0}s");
            }

            var next = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (next is null || !wanted.TryGetValue(next.Partition.Value, out var end))
            {
                continue;
            }

            if (next.IsPartitionEOF || next.Offset.Value >= end)
            {
                wanted.Remove(next.Partition.Value);
                continue;
            }

            result.Add(next);
            if (next.Offset.Value + 1 >= end)
            {
                wanted.Remove(next.Partition.Value);
            }
        }

        consumer.Close();
        return result;
    }
}
