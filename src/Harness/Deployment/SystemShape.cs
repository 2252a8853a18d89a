namespace Chaos.Harness.Deployment;

/// <summary>
/// The names a deployment will have, known before anything starts (docs/architecture.md, "The adapter seam"): its
/// nodes by role, the role its devices connect to, the Kafka topics and consumer groups it uses, and the brokers of the
/// embedded cluster. What a scenario draws its fault targets from and an incident file's targets are checked against,
/// so that a schedule names this system's nodes and topics, not another's. An <see cref="ISystemAdapter"/> says it
/// (<see cref="ISystemAdapter.ShapeFor"/>); the deployment it then makes has exactly these names.
/// </summary>
public sealed record SystemShape
{
    /// <summary>Each role's node names, in start order (e.g. <c>api</c> → <c>api-1</c>, <c>api-2</c>).</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> Roles { get; init; }

    /// <summary>The role whose nodes serve devices (<see cref="ISystemDeployment.DeviceRole"/>).</summary>
    public required string DeviceRole { get; init; }

    /// <summary>The topics the system uses, with their partitions.</summary>
    public IReadOnlyList<KafkaTopic> Topics { get; init; } = [];

    /// <summary>The consumer groups its roles form.</summary>
    public IReadOnlyList<KafkaConsumerGroup> ConsumerGroups { get; init; } = [];

    /// <summary>The store the run gives the system: the SQLite file in the run folder.</summary>
    public const string SqliteStore = "sqlite";

    /// <summary>The store the run gives the system: a PostgreSQL database the run made (<c>--postgres</c>).</summary>
    public const string PostgresStore = "postgres";

    /// <summary>
    /// The store the run gives the system — <see cref="SqliteStore"/>, <see cref="PostgresStore"/> — or null when it
    /// keeps its own (the storage faults' target). Set by the run (<see cref="Runs.RunOptions.ShapeFor"/>), not by the
    /// adapter: which store a run gives is the run's choice.
    /// </summary>
    public string? Store { get; init; }

    /// <summary>Brokers of the embedded cluster a run starts for it (<c>broker-1</c>..<c>broker-N</c>).</summary>
    public int Brokers { get; init; } = 3;

    /// <summary>Every node, role by role.</summary>
    public IReadOnlyList<string> Nodes => [.. Roles.Values.SelectMany(n => n)];

    /// <summary>The node names of <paramref name="role"/>; empty when the system has no such role.</summary>
    public IReadOnlyList<string> NodesOf(string role) => Roles.GetValueOrDefault(role) ?? [];

    /// <summary>Every partition as <c>topic/partition</c>.</summary>
    public IReadOnlyList<string> Partitions => [.. Topics.SelectMany(t => Enumerable.Range(0, t.Partitions).Select(p => $"{t.Name}/{p}"))];

    /// <summary><c>broker-1</c>..<c>broker-N</c>.</summary>
    public IReadOnlyList<string> BrokerNames => [.. Enumerable.Range(1, Brokers).Select(b => $"broker-{b}")];
}
