using System.Diagnostics;
using Chaos.Reference.Hosting;
using Chaos.Reference.Messaging;
using Chaos.Reference.Observability;
using Confluent.Kafka;
using Polly;
using Polly.Retry;

namespace Chaos.Reference.Gateway;

/// <summary>
/// Every gateway instance reads every partition of the deliveries topic (manual assignment, no group, from the end) and
/// hands each record to the local connections of its user, if any. Chosen over routing tables or a Redis backplane
/// because a delivery then reaches whichever instance holds the device with no registry to keep consistent; the cost
/// (every instance reads everything) is fine at this scale. The record is only a doorbell: the durable inbox is the
/// truth, so a missed record is repaired by the pump's gap fill.
/// The start (the topic's partitions and their end offsets) is tried again until the cluster answers: a gateway restarted
/// while the brokers were down used to end its process on "Local: Unknown partition" (found by system-mix: a restart
/// during a broker outage; docs/failure-paths.md).
/// </summary>
internal sealed partial class DeliveryBackplane(KafkaClients kafka, SystemOptions options, ConnectionRegistry registry, ReadinessState readiness,
    ILogger<DeliveryBackplane> logger) : BackgroundService
{
    /// <summary>How long one try of the start waits for the cluster; a try that times out is tried again.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(5);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        using var consumer = StartRetry(logger).Execute(_ => Start(), stoppingToken);
        try
        {
            readiness.MarkReady();
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                    if (result?.Message?.Value is { } value && Json.Deserialize<DeliveryRecord>(value) is { } delivery)
                    {
                        // the last span of a traced message's path: handed to this instance's connections of its user
                        using var span = SystemTracing.StartChild("gateway dispatch", ActivityKind.Consumer, SystemTracing.FromHeaders(result.Message.Headers));
                        span?.SetTag("chat.message.id", delivery.Id);
                        registry.Dispatch(delivery);
                    }
                }
                catch (ConsumeException e) when (!e.Error.IsFatal)
                {
                    FailurePaths.GatewayBackplaneConsumeError.Hit();
                    LogConsumeError(logger, e, e.Error.Reason);
                }
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            LogFatal(logger, e);
            throw;
        }
        finally
        {
            consumer.Close();
        }
    }

    /// <summary>One try of the start: a new consumer assigned every partition at its end offset. A failed try's consumer
    /// is closed, not reused: one that met the outage kept answering "Unknown partition" after the cluster was back.</summary>
    private IConsumer<string?, string> Start()
    {
        var consumer = kafka.CreateAssignedConsumer("gateway");
        try
        {
            using var admin = kafka.CreateAdmin();
            var partitions = EndOffsets(admin, consumer);
            consumer.Assign(partitions);
            LogAssigned(logger, options.Instance, partitions.Count);
            return consumer;
        }
        catch
        {
            consumer.Close();
            consumer.Dispose();
            throw;
        }
    }

    /// <summary>Every partition of the deliveries topic at its end offset now: concrete offsets, since Offset.End would be
    /// resolved lazily at the first fetch, and a delivery published in between would be skipped although this instance
    /// already reported ready.</summary>
    private List<TopicPartitionOffset> EndOffsets(IAdminClient admin, IConsumer<string?, string> consumer)
    {
        var meta = admin.GetMetadata(options.Topics.Deliveries, StartTimeout);
        var topic = meta.Topics.Single();
        if (topic.Error.IsError || topic.Partitions.Count == 0)
        {
            throw new KafkaException(topic.Error.IsError ? topic.Error : new Error(ErrorCode.Local_UnknownPartition, "no partitions in the metadata"));
        }

        return [.. topic.Partitions
            .Select(p => new TopicPartition(options.Topics.Deliveries, p.PartitionId))
            .Select(tp => new TopicPartitionOffset(tp, consumer.QueryWatermarkOffsets(tp, StartTimeout).High))];
    }

    /// <summary>Retries the start on any error that is not fatal, 250 ms doubling to 2 s between tries, until the host stops.</summary>
    private static ResiliencePipeline StartRetry(ILogger logger) => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<KafkaException>(e => !e.Error.IsFatal),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(250),
            MaxDelay = TimeSpan.FromSeconds(2),
            UseJitter = true,
            OnRetry = args =>
            {
                FailurePaths.GatewayBackplaneStartRetried.Hit();
                LogStartRetry(logger, args.Outcome.Exception, args.AttemptNumber + 1, args.Outcome.Exception?.Message ?? "");
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    [LoggerMessage(EventId = 304, Level = LogLevel.Warning, Message = "backplane start failed (try {Attempt}), trying again: {Reason}")]
    private static partial void LogStartRetry(ILogger logger, Exception? exception, int attempt, string reason);

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "{Instance} backplane reads {Count} deliveries partitions")]
    private static partial void LogAssigned(ILogger logger, string instance, int count);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "backplane consume error: {Reason}")]
    private static partial void LogConsumeError(ILogger logger, Exception exception, string reason);

    [LoggerMessage(EventId = 302, Level = LogLevel.Critical, Message = "backplane failed")]
    private static partial void LogFatal(ILogger logger, Exception exception);
}
