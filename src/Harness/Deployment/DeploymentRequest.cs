namespace Chaos.Harness.Deployment;

/// <summary>
/// What a run asks of an <see cref="ISystemAdapter"/> when it deploys: the scenario's requirements and the run's
/// settings. Each adapter maps them onto its own deployment; a setting it cannot honour is an
/// <see cref="ArgumentException"/> naming it, before any node starts.
/// </summary>
public sealed record DeploymentRequest
{
    /// <summary>The run's seed: a deployment that draws anything (ports, fault seeds of its own) draws it from here.</summary>
    public long Seed { get; init; }

    /// <summary>What the scenario needs of the deployment (instances per role, timeouts).</summary>
    public SystemRequirements Requirements { get; init; } = new();

    /// <summary>Defect switches the system offers (<c>--defect</c>); an adapter refuses one it does not know.</summary>
    public IReadOnlyList<string> Defects { get; init; } = [];

    /// <summary>A PostgreSQL connection string for the system's storage; its own default when null.</summary>
    public string? Postgres { get; init; }

    /// <summary>
    /// Where the system must keep its SQLite store: the run's storage volume (<see cref="StorageVolume"/>), mounted when
    /// the schedule makes the disk full (<c>storage-full</c>); null: the run folder. Asked only of a system that offers
    /// <c>FaultCapabilities.SqliteStore</c>, which must honour it.
    /// </summary>
    public string? StorageDirectory { get; init; }

    /// <summary>The bootstrap list of a Kafka cluster the run did not start; null: the embedded cluster.</summary>
    public string? KafkaBootstrap { get; init; }

    /// <summary>Where the nodes write their failure-path counts (docs/failure-paths.md); null: nowhere.</summary>
    public string? FailurePathDirectory { get; init; }

    /// <summary>The outside provider the system's jobs call (the run hosts it, <c>Faults/Downstream</c>); null: none.</summary>
    public Uri? DownstreamUrl { get; init; }

    /// <summary>How long one api request may take before the workload records it as unknown.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
