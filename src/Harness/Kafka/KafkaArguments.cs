namespace Chaos.Harness.Kafka;

/// <summary>
/// Up-front checks of everything handed to the mock. librdkafka asserts (aborting the process)
/// or misbehaves on several of these, so they are refused here with the argument's name.
/// </summary>
public static class KafkaArguments
{
    /// <summary>Kafka's limit on a topic name's length.</summary>
    public const int MaxTopicNameLength = 249;

    /// <summary>Throws when <paramref name="topic"/> is not a topic name Kafka accepts: 1..249 of [a-zA-Z0-9._-], not "." or "..".</summary>
    public static void ValidateTopicName(string? topic, string paramName)
    {
        if (string.IsNullOrEmpty(topic))
        {
            throw new ArgumentException("A topic name must not be empty.", paramName);
        }

        if (topic.Length > MaxTopicNameLength)
        {
            throw new ArgumentException($"A topic name has at most {MaxTopicNameLength} characters; this one has {topic.Length}.", paramName);
        }

        if (topic is "." or "..")
        {
            throw new ArgumentException($"'{topic}' is not a valid topic name.", paramName);
        }

        foreach (var c in topic)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                throw new ArgumentException($"Topic name '{topic}' holds '{c}'; Kafka allows only ASCII letters, digits, '.', '_' and '-'.", paramName);
            }
        }
    }

    /// <summary>Throws when a duration in milliseconds is negative.</summary>
    public static void ValidateMilliseconds(int milliseconds, string paramName)
    {
        if (milliseconds < 0)
        {
            throw new ArgumentOutOfRangeException(paramName, milliseconds, "A duration in milliseconds must not be negative.");
        }
    }

    /// <summary>Throws when an API key is not one the harness knows.</summary>
    public static void ValidateApiKey(KafkaApiKey apiKey, string paramName)
    {
        if (!Enum.IsDefined(apiKey))
        {
            throw new ArgumentOutOfRangeException(paramName, apiKey, $"Unknown Kafka API key; known: {string.Join(", ", Enum.GetNames<KafkaApiKey>())}.");
        }
    }
}
