using System.Data.Common;
using System.Diagnostics;
using Chaos.Reference.Faults;
using Chaos.Reference.Hosting;
using Chaos.Reference.Messaging;
using Chaos.Reference.Observability;
using Chaos.Reference.Storage;
using Confluent.Kafka;

namespace Chaos.Reference.Notifier;

/// <summary>
/// The notifier consume loop (a dedicated thread). Per batch, in one transaction, per record: next per-user sequence +
/// inbox row, keyed by (user, message id) so a redelivered record changes nothing; then the deliveries go to the backplane topic;
/// offsets are committed only after the batch's effects are durable and its deliveries acknowledged by Kafka.
/// </summary>
internal sealed partial class NotifierWorker(Store store, KafkaClients kafka, SystemOptions options, Failpoints failpoints, TimeProvider time,
    SystemMetrics metrics, ReadinessState readiness, IHostApplicationLifetime lifetime, ILogger<NotifierWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task Run(CancellationToken stoppingToken)
    {
        var producer = kafka.CreateProducer("deliveries");
        var backoff = new FailureBackoff();
        using var consumer = kafka.CreateGroupConsumer(options.Topics.Group("notifier"), (_, parts) => LogAssigned(logger, options.Instance, string.Join(',', parts.Select(p => p.Partition.Value))));
        consumer.Subscribe(options.Topics.Fanout);
        readiness.MarkReady();
        var noDedupe = options.Has(DefectNames.NoDedupe);
        var commitFirst = options.Has(DefectNames.CommitBeforeProcess);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var batch = ConsumeBatch(consumer, stoppingToken);
                if (batch.Count == 0)
                {
                    continue;
                }

                var consumedAt = time.GetUtcNow();

                try
                {
                    var offsets = batch.GroupBy(r => r.TopicPartition).Select(g => new TopicPartitionOffset(g.Key, g.Max(r => r.Offset.Value) + 1)).ToList();
                    // the batch is this consumer's to lose only if the group took its commit; a batch whose commit was refused
                    // (partitions moving in a rebalance) is re-read by the next owner whatever happens to it here
                    var owned = true;
                    if (commitFirst)
                    {
                        owned = TryCommit(consumer, offsets); // the defect: the batch counts as done before any of it is
                    }

                    var items = new List<(FanoutRecord Record, string DedupeKey, int Partition)>(batch.Count);
                    var traces = new List<ActivityContext>(batch.Count);
                    foreach (var result in batch)
                    {
                        if (Json.Deserialize<FanoutRecord>(result.Message.Value) is { } record)
                        {
                            items.Add((record, noDedupe ? $"{record.MessageId}#{Guid.NewGuid():N}" : record.MessageId, result.Partition.Value));
                            traces.Add(SystemTracing.FromHeaders(result.Message.Headers));
                        }
                    }

                    var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                    // Without dedupe the append cannot tell a redelivery; look first so the harness still sees it happen.
                    var seenBefore = new bool[items.Count];
                    if (noDedupe)
                    {
                        var inBatch = new HashSet<(string, string)>();
                        for (var i = 0; i < items.Count; i++)
                        {
                            var (user, id) = (items[i].Record.User, items[i].Record.MessageId);
                            seenBefore[i] = !inBatch.Add((user, id)) || await store.InboxHoldsAsync(user, id, stoppingToken);
                        }
                    }

                    var last = items.Count - 1;
                    var outcomes = await store.TryAppendInboxBatchAsync(items, now,
                        i => i < last && owned ? failpoints.HitAsync("notifier.mid-batch", stoppingToken) : ValueTask.CompletedTask, stoppingToken);
                    if (outcomes is null)
                    {
                        // A zombie consumer of the same partition wrote some of these rows first: go record by record.
                        outcomes = [];
                        foreach (var (record, key, partition) in items)
                        {
                            outcomes.Add(await store.AppendInboxAsync(record, key, partition, now, stoppingToken));
                        }
                    }

                    var produced = new List<Task<DeliveryResult<string?, string>>>(items.Count);
                    for (var i = 0; i < items.Count; i++)
                    {
                        var record = items[i].Record;
                        var (seq, duplicate) = outcomes[i];
                        (duplicate ? metrics.Duplicates : metrics.Processed).Add(1);
                        if (duplicate || seenBefore[i])
                        {
                            FailurePaths.NotifierRedelivered.Hit();
                            metrics.Redelivered.Add(1);
                        }

                        metrics.ProcessingLatency.Record(Math.Max(0, now - record.SentAt));
                        // Also on a duplicate: whether the first attempt's delivery reached the backplane is unknown.
                        var delivery = new DeliveryRecord(record.MessageId, record.User, seq, record.Kind, record.Sender, record.Conversation, record.Payload, record.SentAt);
                        // a traced record's span, from its batch's consume to its delivery's produce (docs/reference-system.md, "Traces")
                        using var span = SystemTracing.StartChild("notifier deliver", ActivityKind.Consumer, traces[i], consumedAt);
                        span?.SetTag("chat.message.id", record.MessageId);
                        span?.SetTag("chat.user.seq", seq);
                        produced.Add(producer.ProduceAsync(options.Topics.Deliveries,
                            new Message<string?, string> { Key = record.User, Value = Json.Serialize(delivery), Headers = SystemTracing.HeadersOf(span) }, stoppingToken));
                    }

                    try
                    {
                        await Task.WhenAll(produced);
                        backoff.Reset();
                    }
                    catch (ProduceException<string?, string> e)
                    {
                        // The batch's inbox rows are durable but some of its deliveries are not on the backplane. Nothing is
                        // committed: the batch is read again from its first offsets after a wait, with a new producer (the
                        // old one keeps a refused topic in an error state); its rows are duplicates then, and a duplicate's
                        // delivery is produced again. This used to end the process (exit 0, so nothing restarted it): 20
                        // refused Produce requests (request-errors kind=non-retriable) stopped every notifier of a run.
                        FailurePaths.NotifierProduceFailed.Hit();
                        LogDeliveriesFailed(logger, e, e.Error.Reason);
                        Rewind(consumer, batch);
                        await Task.Delay(backoff.Next(), time, stoppingToken);
                        producer.Dispose();
                        producer = kafka.CreateProducer("deliveries");
                        continue;
                    }

                    await failpoints.HitAsync("notifier.after-effect-before-commit", stoppingToken);
                    if (!commitFirst)
                    {
                        TryCommit(consumer, offsets);
                    }

                    UpdateLag(consumer);
                }
                catch (DbException e)
                {
                    // The store refused (SQLITE_BUSY past the busy timeout: another writer held the database; a dropped
                    // PostgreSQL connection): the batch's transaction rolled back and nothing was committed, so it is
                    // read again after a wait. This used to end the process like the refused produce above
                    // (storage-lock held past the 30 s busy timeout: both notifiers stopped, lost ×21,214).
                    FailurePaths.NotifierStorageFailed.Hit();
                    LogStorageFailed(logger, e, e.Message);
                    Rewind(consumer, batch);
                    await Task.Delay(backoff.Next(), time, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            FailurePaths.NotifierFatal.Hit();
            LogFatal(logger, e);
            Environment.ExitCode = 1; // a crash, for whatever supervises the process
            lifetime.StopApplication();
        }
        finally
        {
            consumer.Close();
            producer.Dispose();
        }
    }

    /// <summary>
    /// Seeks each partition of the batch back to its first record, so the next consume reads the batch again. A
    /// partition no longer assigned (a rebalance meanwhile) cannot be sought; its new owner reads it from the last
    /// committed offset, which this batch never moved.
    /// </summary>
    private void Rewind(IConsumer<string?, string> consumer, List<ConsumeResult<string?, string>> batch)
    {
        foreach (var first in batch.GroupBy(r => r.TopicPartition).Select(g => new TopicPartitionOffset(g.Key, g.Min(r => r.Offset.Value))))
        {
            try
            {
                consumer.Seek(first);
            }
            catch (KafkaException e)
            {
                FailurePaths.NotifierRewindFailed.Hit();
                LogRewindFailed(logger, e, first.Partition.Value, e.Error.Reason);
            }
        }
    }

    private List<ConsumeResult<string?, string>> ConsumeBatch(IConsumer<string?, string> consumer, CancellationToken stoppingToken)
    {
        var batch = new List<ConsumeResult<string?, string>>();
        try
        {
            var first = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (first is null || first.IsPartitionEOF)
            {
                return batch;
            }

            batch.Add(first);
            var lingerUntil = Environment.TickCount64 + options.BatchLingerMs;
            while (batch.Count < options.BatchSize && !stoppingToken.IsCancellationRequested)
            {
                var next = consumer.Consume(TimeSpan.FromMilliseconds(Math.Max(0, lingerUntil - Environment.TickCount64)));
                if (next is null || next.IsPartitionEOF)
                {
                    break;
                }

                batch.Add(next);
            }
        }
        catch (ConsumeException e) when (!e.Error.IsFatal)
        {
            FailurePaths.NotifierConsumeError.Hit();
            LogConsumeError(logger, e, e.Error.Reason);
        }

        return batch;
    }

    /// <summary>
    /// Commits the batch's offsets; a commit refused because the partitions moved (a rebalance in progress) is logged:
    /// the new owner re-reads from the last committed offset and the dedupe key absorbs it. True when the group took it.
    /// </summary>
    private bool TryCommit(IConsumer<string?, string> consumer, List<TopicPartitionOffset> offsets)
    {
        try
        {
            consumer.Commit(offsets);
            return true;
        }
        catch (KafkaException e)
        {
            FailurePaths.NotifierCommitRefused.Hit();
            LogCommitFailed(logger, e, e.Error.Reason);
            return false;
        }
    }

    private void UpdateLag(IConsumer<string?, string> consumer)
    {
        long lag = 0;
        foreach (var tp in consumer.Assignment)
        {
            var w = consumer.GetWatermarkOffsets(tp);
            var position = consumer.Position(tp);
            if (w.High.Value >= 0 && position.Value >= 0)
            {
                lag += Math.Max(0, w.High.Value - position.Value);
            }
        }

        metrics.SetQueueLag(lag);
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "{Instance} assigned fan-out partitions [{Partitions}]")]
    private static partial void LogAssigned(ILogger logger, string instance, string partitions);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "offset commit failed ({Reason}); the batch will be re-read and deduplicated")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, string reason);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "consume error: {Reason}")]
    private static partial void LogConsumeError(ILogger logger, Exception exception, string reason);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "deliveries of a batch not acknowledged by Kafka ({Reason}); nothing committed, the batch is read again")]
    private static partial void LogDeliveriesFailed(ILogger logger, Exception exception, string reason);

    [LoggerMessage(EventId = 205, Level = LogLevel.Warning, Message = "could not seek partition {Partition} back to re-read a batch ({Reason}); its next owner reads it from the last commit")]
    private static partial void LogRewindFailed(ILogger logger, Exception exception, int partition, string reason);

    [LoggerMessage(EventId = 206, Level = LogLevel.Warning, Message = "the store refused a batch ({Reason}); nothing committed, the batch is read again")]
    private static partial void LogStorageFailed(ILogger logger, Exception exception, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Critical, Message = "notifier loop failed; stopping the process")]
    private static partial void LogFatal(ILogger logger, Exception exception);
}
