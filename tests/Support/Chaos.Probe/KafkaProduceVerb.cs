using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;

namespace Chaos.Probe;

/// <summary>
/// Produces keyed messages "key:seq" and reports each delivery:
/// `ack KEY SEQ PARTITION OFFSET LATENCY_MS` or `nack KEY SEQ ERROR`, then `done ACKED FAILED`.
/// Args: --bootstrap B --topic T --count N [--keys K] [--rate PER_SECOND] [--timeout-ms MS].
/// </summary>
internal sealed class KafkaProduceVerb : IProbeVerb
{
    public string Name => "kafka-produce";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var a = new KafkaProbeArgs(args);
        var topic = a.Get("topic");
        var count = a.Int("count", 1000);
        var keys = a.Int("keys", 10);
        var rate = a.Int("rate", 0);
        var config = new ProducerConfig
        {
            BootstrapServers = a.Get("bootstrap"),
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
            MessageTimeoutMs = a.Int("timeout-ms", 30_000),
        };
        var acked = 0;
        var failed = 0;
        using var producer = new ProducerBuilder<string, string>(config).Build();
        var clock = Stopwatch.StartNew();
        var sequence = new int[keys];
        for (var i = 0; i < count && !cancellationToken.IsCancellationRequested; i++)
        {
            if (rate > 0)
            {
                var due = TimeSpan.FromSeconds((double)i / rate);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed, cancellationToken);
                }
            }

            var k = i % keys;
            var key = "k" + k.ToString(CultureInfo.InvariantCulture);
            var seq = sequence[k]++;
            var sent = clock.ElapsedMilliseconds;
            producer.Produce(topic, new Message<string, string> { Key = key, Value = $"{key}:{seq}" }, report =>
            {
                if (report.Error.IsError)
                {
                    Interlocked.Increment(ref failed);
                    KafkaProbeOutput.Line($"nack {key} {seq} {report.Error.Code}", flush: false);
                }
                else
                {
                    Interlocked.Increment(ref acked);
                    KafkaProbeOutput.Line($"ack {key} {seq} {report.Partition.Value} {report.Offset.Value} {clock.ElapsedMilliseconds - sent}", flush: false);
                }
            });
        }

        producer.Flush(TimeSpan.FromMilliseconds(config.MessageTimeoutMs!.Value + 5_000));
        KafkaProbeOutput.Line($"done {acked} {failed}");
        return 0;
    }
}
