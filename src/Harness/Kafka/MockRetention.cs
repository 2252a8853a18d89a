using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;

namespace Chaos.Harness.Kafka;

/// <summary>
/// Time-based retention for the mock cluster, which never deletes records by itself and scans a partition's whole log
/// on every fetch (rd_kafka_mock_msgset_find), so its CPU grows with a run's length. Every <see cref="Interval"/> it
/// samples each protected partition's high watermark; a record is deleted once the high watermark had passed it
/// <see cref="Retention"/> ago (the mock keeps no timestamps we can query) and every protecting group has committed
/// past it. A partition some protecting group has no committed offset for is left whole. Only topics named by a
/// <see cref="KafkaRetentionGroup"/> are trimmed.
/// </summary>
public sealed partial class MockRetention : IAsyncDisposable
{
    /// <summary>How often the retention runs unless told otherwise.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private readonly MockCluster cluster;
    private readonly TimeProvider timeProvider;
    private readonly ILogger logger;
    private readonly IReadOnlyList<(string Topic, int Partitions, string[] Groups)> protectedTopics;
    private readonly Dictionary<TopicPartition, Queue<(DateTimeOffset At, long High)>> samples = [];
    private readonly IAdminClient admin;
    private readonly IConsumer<Ignore, Ignore> watermarks;
    private readonly CancellationTokenSource stop = new();
    private Task? loop;

    /// <param name="cluster">The cluster to trim; it must outlive this.</param>
    /// <param name="retention">Records are kept at least this long.</param>
    /// <param name="groups">The groups protecting each topic; only these topics are trimmed.</param>
    /// <param name="partitions">Partition count of each topic named in <paramref name="groups"/>.</param>
    /// <param name="timeProvider">Clock of the samples and of the loop.</param>
    /// <param name="logger">Where deletions and failed passes are logged.</param>
    /// <param name="interval">Period of the loop; <see cref="DefaultInterval"/> when null.</param>
    public MockRetention(MockCluster cluster, TimeSpan retention, IReadOnlyList<KafkaRetentionGroup> groups, IReadOnlyDictionary<string, int> partitions, TimeProvider timeProvider, ILogger logger, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(groups);
        ArgumentNullException.ThrowIfNull(partitions);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retention, TimeSpan.Zero);
        Interval = interval ?? DefaultInterval;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Interval, TimeSpan.Zero, nameof(interval));

        protectedTopics = [.. groups.GroupBy(g => g.Topic, StringComparer.Ordinal).Select(g =>
            partitions.TryGetValue(g.Key, out var count) && count > 0
                ? (g.Key, count, g.Select(p => p.Group).Distinct(StringComparer.Ordinal).ToArray())
                : throw new ArgumentException($"No partition count for topic '{g.Key}'.", nameof(partitions)))];
        this.cluster = cluster;
        this.timeProvider = timeProvider;
        this.logger = logger;
        Retention = retention;
        admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers, ClientId = "chaos-kafka-retention" }).Build();
        // Never subscribes nor commits: it only asks for watermarks, so its group never exists on the cluster.
        watermarks = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = "chaos-kafka-retention",
            ClientId = "chaos-kafka-retention",
            EnableAutoCommit = false,
            AllowAutoCreateTopics = false,
        }).Build();
    }

    /// <summary>Records are kept at least this long.</summary>
    public TimeSpan Retention { get; }

    /// <summary>Period of the background loop.</summary>
    public TimeSpan Interval { get; }

    /// <summary>Starts the background loop; it runs until disposal. A failed pass is logged and retried at the next tick.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(stop.IsCancellationRequested, this);
        loop ??= Task.Factory.StartNew(() => LoopAsync(stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>
    /// One pass: samples the high watermarks, reads the protecting groups' committed offsets, deletes what is both
    /// older than <see cref="Retention"/> and committed by every protecting group. Returns the deletions made.
    /// </summary>
    public async Task<IReadOnlyList<TopicPartitionOffset>> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (cluster.RequestErrorsMayBePending)
        {
            // Injected errors are meant for the system under test; our own requests must not consume them.
            LogPaused(logger);
            return [];
        }

        var now = timeProvider.GetUtcNow();
        var cutoff = now - Retention;
        var lows = new Dictionary<TopicPartition, long>();
        foreach (var (topic, count, _) in protectedTopics)
        {
            for (var p = 0; p < count; p++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var tp = new TopicPartition(topic, p);
                var offsets = watermarks.QueryWatermarkOffsets(tp, RequestTimeout);
                lows[tp] = offsets.Low.Value;
                if (!samples.TryGetValue(tp, out var queue))
                {
                    samples[tp] = queue = new Queue<(DateTimeOffset, long)>();
                }

                queue.Enqueue((now, offsets.High.Value));
            }
        }

        var committed = new Dictionary<(string Group, TopicPartition Partition), long>();
        foreach (var group in protectedTopics.SelectMany(t => t.Groups.Select(g => (Group: g, t.Topic, t.Partitions))).GroupBy(x => x.Group, StringComparer.Ordinal))
        {
            var partitions = group.SelectMany(x => Enumerable.Range(0, x.Partitions).Select(p => new TopicPartition(x.Topic, p))).ToList();
            var results = await admin.ListConsumerGroupOffsetsAsync(
                [new ConsumerGroupTopicPartitions(group.Key, partitions)],
                new ListConsumerGroupOffsetsOptions { RequestTimeout = RequestTimeout });
            foreach (var offset in results.SelectMany(r => r.Partitions))
            {
                if (offset.Error.Code == ErrorCode.NoError && offset.Offset.Value >= 0)
                {
                    committed[(group.Key, offset.TopicPartition)] = offset.Offset.Value;
                }
            }
        }

        var deleted = new List<TopicPartitionOffset>();
        foreach (var (topic, count, groups) in protectedTopics)
        {
            for (var p = 0; p < count; p++)
            {
                var tp = new TopicPartition(topic, p);
                var queue = samples[tp];
                // Keep the newest sample at or before the cutoff at the head: it is the bound, and older ones are spent.
                while (queue.Count > 1 && queue.ElementAt(1).At <= cutoff)
                {
                    queue.Dequeue();
                }

                if (queue.Peek().At > cutoff)
                {
                    continue;
                }

                var before = queue.Peek().High;
                foreach (var group in groups)
                {
                    before = committed.TryGetValue((group, tp), out var offset) ? Math.Min(before, offset) : -1;
                    if (before < 0)
                    {
                        break;
                    }
                }

                if (before > lows[tp])
                {
                    cluster.DeleteRecords(topic, p, before);
                    deleted.Add(new TopicPartitionOffset(tp, before));
                    LogDeleted(logger, topic, p, before);
                }
            }
        }

        return deleted;
    }

    public async ValueTask DisposeAsync()
    {
        if (!stop.IsCancellationRequested)
        {
            await stop.CancelAsync();
        }

        if (loop is { } running)
        {
            await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        watermarks.Close();
        watermarks.Dispose();
        admin.Dispose();
        stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(Interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await RunOnceAsync(cancellationToken);
                }
                catch (Exception e) when (e is KafkaException or KafkaMockException)
                {
                    // A broker down or an injected error: the records simply stay until a later pass.
                    LogPassFailed(logger, e, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped with the host.
        }
    }

    [LoggerMessage(EventId = 3010, Level = LogLevel.Debug, Message = "Retention deleted {Topic}[{Partition}] before offset {Offset}")]
    private static partial void LogDeleted(ILogger logger, string topic, int partition, long offset);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Debug, Message = "Retention pass skipped: injected request errors may be pending")]
    private static partial void LogPaused(ILogger logger);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Retention pass failed, records kept until the next one: {Reason}")]
    private static partial void LogPassFailed(ILogger logger, Exception exception, string reason);
}
