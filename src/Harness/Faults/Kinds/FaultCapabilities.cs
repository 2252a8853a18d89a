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
    /// The run gave the system a PostgreSQL database of its own (<c>--postgres</c>; <c>Deployment/RunDatabase</c>): the
    /// <c>storage-disconnect</c> kind drops the connections to it. A run's capability, not an adapter's.
    /// </summary>
    public const string PostgresStore = "postgres-store";

    /// <summary>
    /// The run can mount a storage volume for the system's SQLite store (<c>Deployment/StorageVolume</c>: Linux, root, the
    /// processes topology, SQLite): the <c>storage-full</c> kind makes that disk full. A run's capability, not an adapter's.
    /// </summary>
    public const string StorageVolume = "storage-volume";

    /// <summary>
    /// The run can build the slow-fsync shim and preload it into every node (<c>Deployment/FsyncShim</c>: Linux, a C
    /// compiler, the processes topology, SQLite): the <c>slow-fsync</c> kind holds the store's syncs. A run's capability.
    /// </summary>
    public const string FsyncShim = "fsync-shim";

    /// <summary>
    /// The run started the Kafka cluster itself (the embedded one, docs/embedded-kafka.md): the broker faults act through
    /// its control channel (<c>Deployment/SystemKafka.Control</c>). A cluster the run did not start offers only the
    /// faults that any Kafka client can cause (record replay, offset rewind, consumer scale-out and -in, a zombie).
    /// </summary>
    public const string EmbeddedKafka = "embedded-kafka";

    /// <summary>
    /// The system has failpoints the harness can arm on a node (<c>Deployment/ISystemDeployment.Failpoints</c>): the
    /// <c>failpoint</c> kind, a crash at an exact point of the code. Offered by the system's adapter.
    /// </summary>
    public const string Failpoints = "failpoints";

    /// <summary>
    /// The system's jobs call an outside provider at a URL the run gives it (<c>Deployment/DeploymentRequest.DownstreamUrl</c>),
    /// the one the harness hosts (<c>Faults/Downstream</c>): the downstream kinds set its conditions. Offered by the
    /// system's adapter.
    /// </summary>
    public const string DownstreamProvider = "downstream-provider";

    /// <summary>
    /// The system runs background jobs: it takes submissions, applies their effects and dead-letters the poison ones
    /// (<c>Api/ISystemApi.SubmitJobAsync</c> and the reads after it). A run's job load (<c>--job-rate</c> above 0) needs
    /// it; without it the job promises are not exercised. Offered by the system's adapter.
    /// </summary>
    public const string Jobs = "jobs";

    /// <summary>The capabilities a system's adapter may offer (<c>Deployment/ISystemAdapter.Capabilities</c>); the rest are the run's.</summary>
    public static IReadOnlyList<string> OfSystems { get; } = [Failpoints, DownstreamProvider, SqliteStore, Jobs];

    /// <summary>The capability in words, for an error message.</summary>
    public static string Describe(string capability) => capability switch
    {
        SqliteStore => "the SQLite store, and this run uses PostgreSQL (--postgres) or a system that keeps none",
        PostgresStore => "a PostgreSQL database the run made for the system, and this run gives it none (add --postgres)",
        StorageVolume => "a storage volume the run mounts for the SQLite store, and this run cannot: " + (Deployment.StorageVolume.Unavailable ?? "it uses PostgreSQL (--postgres), the containers topology, or a system that keeps no SQLite store"),
        FsyncShim => "the slow-fsync shim preloaded into the nodes, and this run cannot: " + (Deployment.FsyncShim.Unavailable ?? "it uses PostgreSQL (--postgres), the containers topology, or a system that keeps no SQLite store"),
        Failpoints => "failpoints, and the system under test offers none",
        DownstreamProvider => "a downstream provider the system calls at the harness's URL, and the system under test calls none",
        Jobs => "background jobs, and the system under test runs none (give --job-rate 0)",
        EmbeddedKafka => "the embedded Kafka's control channel, and this run's Kafka was not started by it (--kafka-bootstrap)",
        _ => capability,
    };
}
