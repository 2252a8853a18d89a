namespace Chaos.Harness.Deployment;

/// <summary>A Kafka cluster the run did not start cannot take it (<see cref="ExistingKafka"/>); the message names why.</summary>
public sealed class ExistingKafkaException : Exception
{
    public ExistingKafkaException()
    {
    }

    public ExistingKafkaException(string message)
        : base(message)
    {
    }

    public ExistingKafkaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
