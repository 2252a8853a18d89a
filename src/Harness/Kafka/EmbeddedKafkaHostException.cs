namespace Chaos.Harness.Kafka;

/// <summary>
/// The Kafka host process failed: it did not start, or it exited while the run still needed it
/// (a librdkafka assert aborts it). A topology failure: the run cannot be carried out (exit code 2).
/// </summary>
public sealed class EmbeddedKafkaHostException : Exception
{
    public EmbeddedKafkaHostException()
    {
    }

    public EmbeddedKafkaHostException(string message)
        : base(message)
    {
    }

    public EmbeddedKafkaHostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public EmbeddedKafkaHostException(string message, int? exitCode, string standardErrorTail, Exception? innerException = null)
        : base(Compose(message, exitCode, standardErrorTail), innerException)
    {
        ExitCode = exitCode;
        StandardErrorTail = standardErrorTail;
    }

    /// <summary>The host's exit code (134 = SIGABRT from a librdkafka assert), when it exited.</summary>
    public int? ExitCode { get; }

    /// <summary>The last lines the host wrote to stderr.</summary>
    public string StandardErrorTail { get; } = string.Empty;

    private static string Compose(string message, int? exitCode, string tail)
    {
        var code = exitCode is { } c ? $" (exit code {c})" : string.Empty;
        return tail.Length == 0 ? message + code : $"{message}{code}. Last stderr lines:\n{tail}";
    }
}
