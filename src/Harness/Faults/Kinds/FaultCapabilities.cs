namespace Chaos.Harness.Faults.Kinds;

/// <summary>
/// What a deployment must offer for a fault kind to act on it (<see cref="FaultKind.Requires"/>). A run whose schedule
/// names a kind its deployment lacks is refused before anything starts, naming the entry and what is missing
/// (docs/faults.md, "Fault kinds"), instead of failing when the fault phase begins.
/// </summary>
public static class FaultCapabilities
{
    /// <summary>The system's store is a SQLite file the harness can open and lock (not PostgreSQL).</summary>
    public const string SqliteStore = "sqlite-store";

    /// <summary>
    /// The run started the Kafka cluster itself (the embedded one, docs/embedded-kafka.md): the broker faults act through
    /// its control channel (<c>Deployment/SystemKafka.Control</c>). A cluster the run did not start offers only the
    /// faults that any Kafka client can cause (record replay, offset rewind, consumer scale-out and -in, a zombie).
    /// </summary>
    public const string EmbeddedKafka = "embedded-kafka";

    /// <summary>The capability in words, for an error message.</summary>
    public static string Describe(string capability) => capability switch
    {
        SqliteStore => "the SQLite store, and this run uses PostgreSQL (--postgres)",
        EmbeddedKafka => "the embedded Kafka's control channel, and this run's Kafka was not started by it (--kafka-bootstrap)",
        _ => capability,
    };
}
