using System.Diagnostics;
using Chaos.Reference.Hosting;
using Chaos.Reference.Messaging;
using Confluent.Kafka;
using Chaos.Reference.Observability;

namespace Chaos.Reference.Gateway;

/// <summary>
/// Every gateway instance reads every partition of the deliveries topic (manual assignment, no group, from the end) and
/// hands each record to the local connections of its user, if any. Chosen over routing tables or a Redis backplane
/// because a delivery then reaches whichever instance holds the device with no registry to keep consistent; the cost
/// (every instance reads everything) is fine at this scale. The record is only a doorbell: the durable inbox is the
/// truth, so a missed record is repaired by the pump's gap fill.
/// </summary>
internal sealed partial class DeliveryBackplane(KafkaClients kafka, SystemOptions options, ConnectionRegistry registry, ReadinessState readiness,
    ILogger<DeliveryBackplane> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        using var consumer = kafka.CreateAssignedConsumer("gateway");
        try
        {
            using (var admin = kafka.CreateAdmin())
            {
                var meta = admin.GetMetadata(options.Topics.Deliveries, TimeSpan.FromSeconds(10));
                // Concrete end offsets, resolved now: Offset.End would be resolved lazily at the first fetch, and a
                // delivery published in between would be skipped although this instance already reported ready.
                var partitions = meta.Topics.Single().Partitions
                    .Select(p => new TopicPartition(options.Topics.Deliveries, p.PartitionId))
                    .Select(tp => new TopicPartitionOffset(tp, consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High))
                    .ToList();
                consumer.Assign(partitions);
                LogAssigned(logger, options.Instance, partitions.Count);
            }

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

    [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "{Instance} backplane reads {Count} deliveries partitions")]
    private static partial void LogAssigned(ILogger logger, string instance, int count);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "backplane consume error: {Reason}")]
    private static partial void LogConsumeError(ILogger logger, Exception exception, string reason);

    [LoggerMessage(EventId = 302, Level = LogLevel.Critical, Message = "backplane failed")]
    private static partial void LogFatal(ILogger logger, Exception exception);
}
