using Chaos.Harness.Deployment;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Topology;
using Chaos.Harness.Workload;

namespace Chaos.Harness.Runs;

/// <summary>One run's settings, validated before anything starts.</summary>
public sealed record RunOptions
{
    public long Seed { get; init; } = 1;

    /// <summary>
    /// The load rises from a tenth of its rate to all of it over this long before the steady phase (phase 2a, the
    /// <c>ramp</c> phase): a cold system's first seconds (JIT, connection pools, consumer fetch sessions) are not steady
    /// state, and no SLO judges them (docs/load.md, "Warm-up").
    /// </summary>
    public TimeSpan Ramp { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// A wait after the system settled and before any load (progress phase <see cref="RunPipeline.IdlePhase"/>, not in
    /// the history): the deployment idles, and <c>chaos capacity</c> measures idle CPU over it. Zero by default.
    /// </summary>
    public TimeSpan Idle { get; init; }

    /// <summary>Steady-state load before the fault phase (phase 2).</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The fault phase (phase 3); the scenario's default when null.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Load after every fault is healed, before the drain; none when the schedule has no fault.</summary>
    public TimeSpan Recovery { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Bound of the final drain (phase 6); past it the verdict is unknown.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public ChatWorkloadOptions Workload { get; init; } = new();

    /// <summary>
    /// The system under test: how it is deployed, its api and its device clients (docs/architecture.md, "The adapter
    /// seam"); required to run. The reference system's is <c>Chaos.Reference.Adapter.ReferenceSystemAdapter</c>, which
    /// the <c>chaos</c> tool passes.
    /// </summary>
    public ISystemAdapter? System { get; init; }

    /// <summary>
    /// The shape of the system this run deploys (docs/architecture.md, "The adapter seam"): its adapter's, with the store
    /// the run gives it — PostgreSQL with <see cref="Postgres"/>, else SQLite to a system that keeps its state in the
    /// run's store (<see cref="Faults.Kinds.FaultCapabilities.SqliteStore"/>), else none.
    /// </summary>
    public SystemShape ShapeFor(SystemRequirements requirements)
    {
        var system = System ?? throw new InvalidOperationException("no system under test: RunOptions.System is required");
        var store = Postgres is not null ? SystemShape.PostgresStore
            : system.Capabilities.Contains(Faults.Kinds.FaultCapabilities.SqliteStore) ? SystemShape.SqliteStore
            : null;
        return system.ShapeFor(requirements) with { Store = store };
    }

    /// <summary>The system file the run was described by (<c>--system</c>), so the command that reproduces the run names
    /// it; null when none was given.</summary>
    public Deployment.SystemDescription? SystemFile { get; init; }

    /// <summary>Defect switches of the system (<c>--defect</c>), each one of <see cref="ISystemAdapter.Defects"/>.</summary>
    public IReadOnlyList<string> Defects { get; init; } = [];

    /// <summary>The run folder; created if absent.</summary>
    public required string OutputDirectory { get; init; }

    public bool AllowRemote { get; init; }

    /// <summary>A schedule to replay instead of the one the scenario generates from the seed.</summary>
    public FaultSchedule? Schedule { get; init; }

    /// <summary>Which back-end runs the nodes (<c>--topology</c>): processes (default) or containers.</summary>
    public TopologyKind Topology { get; init; } = TopologyKind.Processes;

    /// <summary>A PostgreSQL connection string for the system's storage; SQLite in the run folder when null.</summary>
    public string? Postgres { get; init; }

    /// <summary>
    /// A Kafka cluster the run did not start (<c>--kafka-bootstrap host:port,...</c>): its topics must be empty, and the
    /// broker faults are refused (docs/running.md, "An existing Kafka"); null: the embedded cluster, one per run.
    /// </summary>
    public string? KafkaBootstrap { get; init; }

    /// <summary>
    /// Latency SLOs that replace the scenario's; the scenario's when null. <c>chaos capacity</c> judges each step's run
    /// by its own <c>--p99</c> limit, so a step's verdict and whether it held agree (docs/load.md, "Capacity").
    /// </summary>
    public IReadOnlyList<Checkers.LatencyThreshold>? LatencySlos { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (Seed < 0)
        {
            throw new ArgumentException($"seed must not be negative, was {Seed}", nameof(Seed));
        }

        Positive(Ramp, "ramp", allowZero: true);
        Positive(Idle, "idle", allowZero: true);
        Positive(Warmup, "warmup", allowZero: true);
        if (Duration is { } d)
        {
            Positive(d, "duration", allowZero: false);
        }

        Positive(Recovery, "recovery", allowZero: true);
        Positive(DrainTimeout, "drain timeout", allowZero: false);
        if (string.IsNullOrWhiteSpace(OutputDirectory))
        {
            throw new ArgumentException("the output directory must be given", nameof(OutputDirectory));
        }

        if (System is null)
        {
            throw new ArgumentException("no system under test: give the system's ISystemAdapter (the reference system's is Chaos.Reference.Adapter.ReferenceSystemAdapter)", nameof(System));
        }

        var unknown = Defects.FirstOrDefault(d => !System.Defects.Contains(d, StringComparer.Ordinal));
        if (unknown is not null)
        {
            throw new ArgumentException(
                $"'{unknown}' is not a defect of the {System.Name} system ({(System.Defects.Count == 0 ? "it has none" : "known: " + string.Join(", ", System.Defects))})",
                nameof(Defects));
        }

        Workload.Validate();

        static void Positive(TimeSpan value, string name, bool allowZero)
        {
            if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero) || value > TimeSpan.FromHours(24))
            {
                throw new ArgumentException($"{name} must be {(allowZero ? "within 0" : "above 0 and at most")}..24h, was {value}", name);
            }
        }
    }
}
