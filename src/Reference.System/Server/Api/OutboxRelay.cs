using System.Diagnostics;
using Chaos.Reference.Hosting;
using Chaos.Reference.Messaging;
using Chaos.Reference.Observability;
using Chaos.Reference.Storage;
using Confluent.Kafka;

namespace Chaos.Reference.Api;

/// <summary>
/// Publishes outbox rows to Kafka in id order. Every api instance runs one, but only the holder of the "outbox-relay"
/// lease publishes, so rows leave in exactly the order they committed (appends are serialized, see Store). A relay that
/// dies after producing and before deleting leaves rows that the next holder publishes again: duplicates on the topic,
/// removed downstream by the (user, message id) key; no reordering, because each relay publishes in id order with
/// one request in flight, so the first copy of every row is in order — with one exception not yet tested: when Kafka
/// refuses a request for good, librdkafka fails only that request's rows, and later rows of the same partition already
/// handed to the producer may be published ahead of them (docs/reference-system.md, "Produce and storage failures").
/// </summary>
internal sealed partial class OutboxRelay(Store store, KafkaClients kafka, SystemOptions options, TimeProvider time, OutboxSignal signal,
    SystemMetrics metrics, ILogger<OutboxRelay> logger) : BackgroundService
{
    private const int BatchSize = 500;

    // An empty outbox is polled every 20 ms while rows keep coming, and every 160 ms once none has come for a second
    // (an idle deployment): a commit on this instance wakes the relay at once (OutboxSignal), so only the first row
    // committed on another api instance after a quiet second can wait longer. Polling at 20 ms throughout cost the lease
    // holder 3.4 % of a core in an idle deployment (docs/load.md, "Idle CPU"). Under any load — even one send a second
    // — the poll stays at 20 ms: a first version that doubled the wait after every empty read added up to 160 ms to
    // cross-instance sends at 20 sends/s, the likely cause of a short CI test run breaking its latency SLO.
    private static readonly TimeSpan BusyPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(160);
    private static readonly TimeSpan IdleAfter = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // After a failed produce the relay waits (FailureBackoff) and replaces its producer: librdkafka keeps a topic it
        // was refused on in an error state (its partition count set to 0) until its next metadata refresh, and a new
        // producer starts from fresh metadata. The old one's unfinished sends are abandoned; their rows, still in the
        // outbox, are published again (duplicates downstream, removed by the dedupe key).
        var producer = kafka.CreateProducer("relay");
        var backoff = new FailureBackoff();
        try
        {
            var holder = $"{options.Instance}-{Guid.NewGuid():N}";
            var leaseRenewAt = 0L;
            var leased = false;
            var lastBusy = time.GetTimestamp();
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                    if (!leased || now >= leaseRenewAt)
                    {
                        var had = leased;
                        leased = await store.TryLeaseAsync("outbox-relay", holder, now, options.RelayLeaseMs, stoppingToken);
                        leaseRenewAt = now + (options.RelayLeaseMs / 3);
                        if (leased != had)
                        {
                            if (had)
                            {
                                FailurePaths.OutboxLeaseLost.Hit();
                            }

                            LogLease(logger, options.Instance, leased);
                        }
                    }

                    if (!leased)
                    {
                        await signal.WaitAsync(TimeSpan.FromMilliseconds(options.RelayLeaseMs / 3), stoppingToken);
                        continue;
                    }

                    var rows = await store.ReadOutboxAsync(BatchSize, stoppingToken);
                    metrics.SetOutboxBacklog(rows.Count);
                    if (rows.Count == 0)
                    {
                        var idle = time.GetElapsedTime(lastBusy) >= IdleAfter;
                        if (await signal.WaitAsync(idle ? IdlePoll : BusyPoll, stoppingToken))
                        {
                            lastBusy = time.GetTimestamp();
                        }

                        continue;
                    }

                    lastBusy = time.GetTimestamp();

                    var deliveries = rows.Select(r => Publish(producer, r, stoppingToken)).ToList();
                    long published = -1;
                    var failed = false;
                    for (var i = 0; i < rows.Count; i++)
                    {
                        try
                        {
                            await deliveries[i];
                            published = rows[i].Id;
                        }
                        catch (ProduceException<string?, string> e)
                        {
                            FailurePaths.OutboxProduceFailed.Hit();
                            LogProduceFailed(logger, e, rows[i].Id);
                            failed = true;
                            break;
                        }
                    }

                    if (published >= 0)
                    {
                        await store.DeleteOutboxThroughAsync(published, stoppingToken);
                        metrics.Published.Add(rows.Count(r => r.Id <= published));
                    }

                    if (failed)
                    {
                        await Task.Delay(backoff.Next(), time, stoppingToken);
                        producer.Dispose();
                        producer = kafka.CreateProducer("relay");
                    }
                    else
                    {
                        backoff.Reset();
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e)
                {
                    FailurePaths.OutboxRelayError.Hit();
                    LogRelayError(logger, e);
                    leased = false;
                    await Task.Delay(TimeSpan.FromMilliseconds(200), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }
        }
        finally
        {
            producer.Dispose();
        }
    }

    /// <summary>Produces a row; a traced row's publish is a span of its send's trace, carried on in the record's
    /// <c>traceparent</c> header (docs/reference-system.md, "Traces").</summary>
    private static Task<DeliveryResult<string?, string>> Publish(IProducer<string?, string> producer, OutboxRow row, CancellationToken cancellationToken)
    {
        using var span = SystemTracing.StartChild("outbox publish", ActivityKind.Producer, SystemTracing.Parse(row.TraceParent));
        span?.SetTag("messaging.destination.name", row.Topic);
        return producer.ProduceAsync(row.Topic, new Message<string?, string> { Key = row.Key, Value = row.Value, Headers = SystemTracing.HeadersOf(span) }, cancellationToken);
    }

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "{Instance} outbox relay lease held: {Held}")]
    private static partial void LogLease(ILogger logger, string instance, bool held);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "publishing outbox row {Id} failed; it and later rows are retried")]
    private static partial void LogProduceFailed(ILogger logger, Exception exception, long id);

    [LoggerMessage(EventId = 112, Level = LogLevel.Error, Message = "outbox relay error")]
    private static partial void LogRelayError(ILogger logger, Exception exception);
}
