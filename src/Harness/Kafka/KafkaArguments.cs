using System.Globalization;

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

    /// <summary>Parses a positive duration written <c>500ms</c>, <c>10s</c>, <c>2m</c> or <c>1h</c>; errors name <paramref name="paramName"/>.</summary>
    public static TimeSpan ParseDuration(string? text, string paramName)
    {
        var (number, unit) = text switch
        {
            null => (null, TimeSpan.Zero),
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], TimeSpan.FromMilliseconds(1)),
            _ when text.EndsWith('s') => (text[..^1], TimeSpan.FromSeconds(1)),
            _ when text.EndsWith('m') => (text[..^1], TimeSpan.FromMinutes(1)),
            _ when text.EndsWith('h') => (text[..^1], TimeSpan.FromHours(1)),
            _ => (null, TimeSpan.Zero),
        };
        if (number is null || !int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            throw new ArgumentException($"--{paramName} must be a positive duration such as 500ms, 10s, 2m or 1h, not '{text}'.", paramName);
        }

        return unit * n;
    }
}
