using Confluent.Kafka;

namespace Chaos.Probe;

/// <summary>
/// A consumer-group member. Prints `assigned P,P..`, `revoked P,P..`, and for every record
/// `msg PARTITION OFFSET KEY VALUE` (the record is "processed" once printed; its offset is then
/// stored for auto-commit, unless --no-commit). Stops cleanly (Close) when stdin closes.
/// Args: --bootstrap B --topic T --group G [--session-timeout-ms MS] [--no-commit].
/// </summary>
internal sealed class KafkaConsumeVerb : IProbeVerb
{
    public string Name => "kafka-consume";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var a = new KafkaProbeArgs(args);
        var noCommit = a.Flag("no-commit");
        var session = a.Int("session-timeout-ms", 3000);
        var config = new ConsumerConfig
        {
            BootstrapServers = a.Get("bootstrap"),
            GroupId = a.Get("group"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = !noCommit,
            AutoCommitIntervalMs = 100,
            EnableAutoOffsetStore = false,
            SessionTimeoutMs = session,
            HeartbeatIntervalMs = Math.Max(100, session / 6),
            FetchWaitMaxMs = 20,
        };
        using var stop = KafkaProbeOutput.StopSignal(cancellationToken);
        using var consumer = new ConsumerBuilder<string, string>(config)
            .SetPartitionsAssignedHandler((_, parts) => KafkaProbeOutput.Line("assigned " + string.Join(',', parts.Select(p => p.Partition.Value))))
            .SetPartitionsRevokedHandler((_, parts) => KafkaProbeOutput.Line("revoked " + string.Join(',', parts.Select(p => p.Partition.Value))))
            .SetPartitionsLostHandler((_, parts) => KafkaProbeOutput.Line("lost " + string.Join(',', parts.Select(p => p.Partition.Value))))
            .Build();
        consumer.Subscribe(a.Get("topic"));
        // A dedicated thread: Consume blocks, and the group protocol runs inside it.
        var loop = new Thread(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                ConsumeResult<string, string>? r;
                try
                {
                    r = consumer.Consume(TimeSpan.FromMilliseconds(100));
                }
                catch (ConsumeException e) when (!e.Error.IsFatal)
                {
                    KafkaProbeOutput.Line($"error {e.Error.Code}");
                    continue;
                }

                if (r is null || r.IsPartitionEOF)
                {
                    continue;
                }

                KafkaProbeOutput.Line($"msg {r.Partition.Value} {r.Offset.Value} {r.Message.Key} {r.Message.Value}");
                if (!noCommit)
                {
                    consumer.StoreOffset(r);
                }
            }

            consumer.Close();
        })
        { IsBackground = true, Name = "kafka-consume" };
        loop.Start();
        loop.Join();
        KafkaProbeOutput.Line("closed");
        return Task.FromResult(0);
    }
}
