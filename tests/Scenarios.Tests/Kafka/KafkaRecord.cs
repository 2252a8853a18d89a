using System.Globalization;

namespace Chaos.Scenarios.Tests.Kafka;

/// <summary>A record line of the Kafka probes: `msg PARTITION OFFSET KEY VALUE` (consumer) or `ack KEY SEQ PARTITION OFFSET LATENCY_MS` (producer).</summary>
internal readonly record struct KafkaRecord(string Key, int Seq, int Partition, long Offset, long LatencyMs = 0)
{
    public static bool TryParseConsumed(string line, out KafkaRecord record)
    {
        record = default;
        var f = line.Split(' ');
        if (f.Length != 5 || f[0] != "msg")
        {
            return false;
        }

        var seq = int.Parse(f[4][(f[4].IndexOf(':', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);
        record = new KafkaRecord(f[3], seq, int.Parse(f[1], CultureInfo.InvariantCulture), long.Parse(f[2], CultureInfo.InvariantCulture));
        return true;
    }

    public static bool TryParseAck(string line, out KafkaRecord record)
    {
        record = default;
        var f = line.Split(' ');
        if (f.Length != 6 || f[0] != "ack")
        {
            return false;
        }

        record = new KafkaRecord(
            f[1],
            int.Parse(f[2], CultureInfo.InvariantCulture),
            int.Parse(f[3], CultureInfo.InvariantCulture),
            long.Parse(f[4], CultureInfo.InvariantCulture),
            long.Parse(f[5], CultureInfo.InvariantCulture));
        return true;
    }

    public static IEnumerable<KafkaRecord> Consumed(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            if (TryParseConsumed(line, out var r))
            {
                yield return r;
            }
        }
    }

    public static IEnumerable<KafkaRecord> Acked(IEnumerable<string> lines)
    {
        foreach (var line in lines)
        {
            if (TryParseAck(line, out var r))
            {
                yield return r;
            }
        }
    }

    public (string Key, int Seq) Id => (Key, Seq);
}
