using System.Globalization;

namespace Chaos.Harness.Kafka;

/// <summary>A topic to create at start: <c>NAME[:PARTITIONS[:REPLICATION]]</c>.</summary>
public sealed record KafkaTopicSpec(string Name, int Partitions, int? ReplicationFactor)
{
    /// <summary>Partitions of a topic given by name only.</summary>
    public const int DefaultPartitions = 3;

    /// <summary>Parses <c>NAME[:PARTITIONS[:REPLICATION]]</c>; errors name <paramref name="paramName"/>.</summary>
    public static KafkaTopicSpec Parse(string text, string paramName)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(':');
        if (parts.Length > 3)
        {
            throw new ArgumentException($"'{text}' is not NAME[:PARTITIONS[:REPLICATION]].", paramName);
        }

        KafkaArguments.ValidateTopicName(parts[0], paramName);
        var partitions = parts.Length > 1 ? PositiveInt(parts[1], text, "partitions", paramName) : DefaultPartitions;
        int? replication = parts.Length > 2 ? PositiveInt(parts[2], text, "replication factor", paramName) : null;
        return new KafkaTopicSpec(parts[0], partitions, replication);
    }

    private static int PositiveInt(string part, string text, string what, string paramName) =>
        int.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"'{text}': the {what} must be a positive integer, not '{part}'.", paramName);
}
