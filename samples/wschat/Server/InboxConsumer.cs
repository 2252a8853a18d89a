using System.Text.Json;
using Confluent.Kafka;

namespace WsChat.Server;

/// <summary>
/// The Kafka consumer: reads the messages topic in batches, appends each batch to the journal (durable, deduplicated
/// by message id), pushes the new entries to connected devices, and only then stores the records' offsets for the
/// next commit. A crash anywhere before the commit means the batch comes again, and the journal drops what it holds.
/// </summary>
public sealed class InboxConsumer(ServerOptions options, InboxJournal journal, Devices devices, ILogger<InboxConsumer> log) : BackgroundService
{
    private const int MaxBatch = 500;
    private volatile int _partitions;

    /// <summary>Partitions this process holds now (0 before the first assignment).</summary>
    public int Partitions => _partitions;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    private async Task Run(CancellationToken stoppingToken)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = options.Kafka,
            GroupId = ServerOptions.Group,
            EnableAutoCommit = true,
            EnableAutoOffsetStore = false,
            AutoCommitIntervalMs = 500,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeoutMs = options.SessionTimeoutMs,
            HeartbeatIntervalMs = Math.Max(100, options.SessionTimeoutMs / 5),
            FetchWaitMaxMs = 20, // a fetch returns soon when there is nothing: the push's latency is the poll's
        };
        using var consumer = new ConsumerBuilder<string, string>(config)
            .SetPartitionsAssignedHandler((c, assigned) => _partitions = c.Assignment.Count + assigned.Count)
            .SetPartitionsRevokedHandler((_, _) => _partitions = 0)
            .SetPartitionsLostHandler((_, _) => _partitions = 0)
            .Build();
        consumer.Subscribe(ServerOptions.Topic);
        var batch = new List<ConsumeResult<string, string>>(MaxBatch);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                batch.Clear();
                try
                {
                    var next = consumer.Consume(TimeSpan.FromMilliseconds(250));
                    while (next is { IsPartitionEOF: false } && batch.Count < MaxBatch)
                    {
                        batch.Add(next);
                        next = batch.Count < MaxBatch ? consumer.Consume(TimeSpan.Zero) : null;
                    }
                }
                catch (ConsumeException e) when (!e.Error.IsFatal)
                {
                    // a broker or topic that is away for now: what was read so far is handled, the rest comes again
                    log.LogWarning("consume: {Reason}", e.Error.Reason);
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                var appended = await journal.AppendAsync(batch.Select(Parse), stoppingToken);
                devices.Push(appended);
                foreach (var record in batch)
                {
                    consumer.StoreOffset(record);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (KafkaException e)
        {
            log.LogError(e, "the consumer stopped");
            throw;
        }
        finally
        {
            consumer.Close(); // commits what was stored and leaves the group
        }
    }

    private static (string User, string Id, string From) Parse(ConsumeResult<string, string> record)
    {
        var message = JsonSerializer.Deserialize(record.Message.Value, WireContext.Default.WireMessage)
            ?? throw new InvalidDataException($"an empty record at {record.TopicPartitionOffset}");
        return (record.Message.Key, message.Id, message.From);
    }
}
