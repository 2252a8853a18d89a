namespace Chaos.Harness.Kafka;

/// <summary>
/// A consumer group protecting a topic from retention (<c>--retention-group TOPIC=GROUP</c>): records it has not
/// committed past are never deleted, and a partition it has no committed offset for is not trimmed at all.
/// </summary>
public sealed record KafkaRetentionGroup(string Topic, string Group)
{
    /// <summary>Parses <c>TOPIC=GROUP</c>; errors name <paramref name="paramName"/>.</summary>
    public static KafkaRetentionGroup Parse(string text, string paramName)
    {
        ArgumentNullException.ThrowIfNull(text);
        var separator = text.IndexOf('=', StringComparison.Ordinal);
        if (separator < 0)
        {
            throw new ArgumentException($"'{text}' is not TOPIC=GROUP.", paramName);
        }

        var topic = text[..separator];
        var group = text[(separator + 1)..];
        KafkaArguments.ValidateTopicName(topic, paramName);
        if (string.IsNullOrWhiteSpace(group))
        {
            throw new ArgumentException($"'{text}': the group must not be empty.", paramName);
        }

        return new KafkaRetentionGroup(topic, group);
    }
}
