using Chaos.Harness.Topology;

namespace Chaos.Harness.Deployment;

/// <summary>
/// What a system file (<c>chaos.system.yaml</c>, docs/systems.md) says about the system under test. Each member left
/// null was not given in the file: the command line, or the default, decides it.
/// </summary>
public sealed record SystemDescription
{
    /// <summary>The built-in adapter: the reference chat/notification/job system.</summary>
    public const string ReferenceSystem = "reference";

    /// <summary>The file it was read from, as given.</summary>
    public required string Source { get; init; }

    /// <summary>Which system: <see cref="ReferenceSystem"/>, the name of the adapter in <see cref="Adapter"/>, or the name
    /// of the system <see cref="Declared"/> describes.</summary>
    public string System { get; init; } = ReferenceSystem;

    /// <summary>The full path of the adapter assembly (<c>adapter:</c>, relative to the file; it exists when read) that
    /// deploys and drives <see cref="System"/> (<see cref="AdapterAssembly"/>); null for the reference system.</summary>
    public string? Adapter { get; init; }

    /// <summary>The system's nodes, topics, groups and client as the file describes them (<c>nodes:</c>, docs/systems.md,
    /// "Nodes without code"); null when an adapter deploys it.</summary>
    public DeclaredSystem? Declared { get; init; }

    /// <summary><c>host:port,...</c> of a Kafka cluster the run did not start (checked like <c>--kafka-bootstrap</c>);
    /// null with <see cref="KafkaEmbedded"/> true when the file said <c>kafka: embedded</c>.</summary>
    public string? KafkaBootstrap { get; init; }

    /// <summary>The file said <c>kafka: embedded</c> (one mock cluster per run, the default).</summary>
    public bool KafkaEmbedded { get; init; }

    /// <summary>A PostgreSQL connection string for the system's storage; null with <see cref="StorageSqlite"/> true
    /// when the file said <c>storage: sqlite</c>.</summary>
    public string? Postgres { get; init; }

    /// <summary>The file said <c>storage: sqlite</c> (in the run folder, the default).</summary>
    public bool StorageSqlite { get; init; }

    /// <summary>Where the nodes run.</summary>
    public TopologyKind? Topology { get; init; }

    /// <summary>Whether targets that are not loopback are allowed.</summary>
    public bool? AllowRemote { get; init; }

    /// <summary>Whether the file says where Kafka is (embedded or a bootstrap list).</summary>
    public bool SaysKafka => KafkaEmbedded || KafkaBootstrap is not null;

    /// <summary>Whether the file says what the storage is.</summary>
    public bool SaysStorage => StorageSqlite || Postgres is not null;
}
