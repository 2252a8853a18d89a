namespace Chaos.Harness.Kafka;

/// <summary>The mock cluster refused an operation, or could not be created.</summary>
public sealed class KafkaMockException : Exception
{
    public KafkaMockException()
    {
    }

    public KafkaMockException(string message)
        : base(message)
    {
    }

    public KafkaMockException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public KafkaMockException(string message, KafkaErrorCode error)
        : base(message)
    {
        Error = error;
    }

    /// <summary>The librdkafka error code, when the refusal came from the mock itself.</summary>
    public KafkaErrorCode? Error { get; }
}
