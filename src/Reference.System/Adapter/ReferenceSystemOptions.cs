namespace Chaos.Reference.Adapter;

/// <summary>How a run deploys the reference system: instances per role, Kafka shape, defects and failpoints.</summary>
public sealed record ReferenceSystemOptions
{
    /// <summary>The topics the reference system expects, with their partition counts (docs/reference-system.md).</summary>
    public static IReadOnlyList<(string Topic, int Partitions)> Topics { get; } =
        [("fanout", 6), ("deliveries", 3), ("jobs", 4), (DeadLetterTopic, 1)];

    /// <summary>The jobs' dead-letter topic: one record per dead-lettering, keyed by the job, its value JSON with a <c>reason</c>.</summary>
    public const string DeadLetterTopic = "jobs-dlq";

    /// <summary>
    /// The consumer groups the reference system's roles form, each with the topic it consumes (the gateways read
    /// <c>deliveries</c> with a group of their own per instance, so they have none here).
    /// </summary>
    public static IReadOnlyList<(string Role, string Group, string Topic)> ConsumerGroups { get; } =
        [("notifier", "notifier", "fanout"), ("jobs", "jobs", "jobs")];

    public int ApiInstances { get; init; } = 2;

    public int NotifierInstances { get; init; } = 2;

    public int GatewayInstances { get; init; } = 2;

    public int JobsInstances { get; init; } = 2;

    public int Brokers { get; init; } = 3;

    /// <summary>Defect switches passed to every role (<c>--defect NAME</c>).</summary>
    public IReadOnlyList<string> Defects { get; init; } = [];

    /// <summary>Failpoints armed at start, as (role, spec) — e.g. ("notifier", "notifier.mid-batch=crash@3").</summary>
    public IReadOnlyList<(string Role, string Spec)> Failpoints { get; init; } = [];

    /// <summary>The JWT and admin keys; null (the default) means fresh random ones for the deployment (docs/security.md).</summary>
    public SystemCredentials? Credentials { get; init; }

    public long Seed { get; init; }

    /// <summary>Consumer session timeout: the mock's classic rebalances wait session.timeout − 1 s.</summary>
    public int SessionTimeoutMs { get; init; } = 6000;

    /// <summary>How long the gateway waits for a silent client before it drops the connection.</summary>
    public int ClientTimeoutMs { get; init; } = 6000;

    /// <summary>
    /// The outside provider the jobs call once per attempt (<c>--downstream URL</c>; the run passes its
    /// <see cref="Harness.Faults.Downstream.DownstreamProvider"/>); null leaves the jobs on their in-process simulated dependency.
    /// </summary>
    public Uri? DownstreamUrl { get; init; }

    /// <summary>
    /// Where every node writes its failure-path counts (<c>--failure-paths DIR</c>, docs/failure-paths.md); null: nowhere.
    /// A run passes its run folder's <c>failure-paths/</c>.
    /// </summary>
    public string? FailurePathDirectory { get; init; }

    /// <summary>A PostgreSQL connection string; SQLite in the run folder when null.</summary>
    public string? Postgres { get; init; }

    /// <summary>Where the SQLite database goes instead of the run folder: the run's storage volume
    /// (<see cref="Harness.Deployment.StorageVolume"/>); ignored with <see cref="Postgres"/>.</summary>
    public string? StorageDirectory { get; init; }

    /// <summary>
    /// The bootstrap list of a Kafka cluster the run did not start (<c>--kafka-bootstrap</c>, checked by
    /// <see cref="Harness.Deployment.ExistingKafka"/>); null: the embedded cluster, started for the run (docs/embedded-kafka.md).
    /// </summary>
    public string? KafkaBootstrap { get; init; }

    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Retention of the embedded Kafka (<c>chaos kafka --retention</c>): records older than this are deleted from the
    /// topics of <see cref="ConsumerGroups"/>, never past what the consuming group has committed. Null or zero: off.
    /// <c>deliveries</c> is never trimmed (the gateways read it without committing) nor <c>jobs-dlq</c> (no group).
    /// </summary>
    public TimeSpan? KafkaRetention { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws a <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        Check(ApiInstances, nameof(ApiInstances));
        Check(NotifierInstances, nameof(NotifierInstances));
        Check(GatewayInstances, nameof(GatewayInstances));
        Check(JobsInstances, nameof(JobsInstances));
        Check(Brokers, nameof(Brokers));
        if (SessionTimeoutMs < 1000)
        {
            throw new ArgumentException($"{nameof(SessionTimeoutMs)} must be at least 1000 ms, was {SessionTimeoutMs}", nameof(SessionTimeoutMs));
        }

        if (DownstreamUrl is { } downstream && (!downstream.IsAbsoluteUri || downstream.Scheme is not ("http" or "https")))
        {
            throw new ArgumentException($"{nameof(DownstreamUrl)} must be an absolute http(s) URL, was {downstream}", nameof(DownstreamUrl));
        }

        if (KafkaRetention is { } retention && retention < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(KafkaRetention)} must not be negative (null or zero turns it off), was {retention}", nameof(KafkaRetention));
        }

        if (ClientTimeoutMs < 1000)
        {
            throw new ArgumentException($"{nameof(ClientTimeoutMs)} must be at least 1000 ms, was {ClientTimeoutMs}", nameof(ClientTimeoutMs));
        }

        static void Check(int value, string name)
        {
            if (value is < 1 or > 16)
            {
                throw new ArgumentException($"{name} must be within 1..16, was {value}", name);
            }
        }
    }
}
