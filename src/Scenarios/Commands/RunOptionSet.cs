using System.CommandLine;
using Chaos.Harness.Deployment;
using Chaos.Harness.Faults.Kinds;
using Chaos.Harness.Runs;
using Chaos.Harness.Topology;
using Chaos.Reference.Adapter;

namespace Chaos.Scenarios.Commands;

/// <summary>
/// The options <c>run</c> and <c>replay</c> share — the load, the system's defects and storage, where it runs — and
/// how they become a <see cref="RunOptions"/>. Seed, duration and output differ per verb (their defaults come from
/// different places) and stay with the verb.
/// </summary>
internal sealed class RunOptionSet
{
    private readonly Option<string?> ramp = new("--ramp") { Description = "Load rising from a tenth of the rate to all of it before the steady phase; no SLO judges it (default 3s; 0 for none)." };
    private readonly Option<string?> warmup = new("--warmup") { Description = "Steady-state load before the fault phase (default 5s)." };
    private readonly Option<string[]> defects = new("--defect") { Description = "Switch on a defect of the system under test (repeatable; the reference system's are in docs/defects.md).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string?> postgres = new("--postgres") { Description = "A PostgreSQL connection string for the system's storage (default: SQLite in the run folder)." };
    private readonly Option<string?> kafkaBootstrap = new("--kafka-bootstrap") { Description = "host:port[,...] of a Kafka cluster the run did not start, with the system's topics absent or empty (default: the embedded cluster, one per run); broker faults are refused (docs/running.md)." };
    private readonly Option<bool> allowRemote = new("--allow-remote") { Description = "Allow targets that are not loopback (refused by default)." };
    private readonly Option<string?> system = new("--system") { Description = "A system file (chaos.system.yaml: the adapter or the nodes, Kafka embedded or a bootstrap list, storage, topology; docs/systems.md); a setting it makes may not also be given as a flag." };
    private readonly Option<string?> topology = TopologyOption.Create("Where the system runs: processes (default) or containers (Docker; see docs/containers.md).");

    private readonly LoadOptionSet load;

    /// <param name="withRate">Whether the verb takes <c>--rate</c> (<c>capacity</c> sets the rate of each step itself).</param>
    public RunOptionSet(bool withRate = true) => load = new LoadOptionSet(withRate);

    /// <summary>Adds every shared option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in new Option[] { ramp, warmup }.Concat(load.Options).Concat([defects, postgres, kafkaBootstrap, allowRemote, topology, system]))
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// A run's options from the shared ones and the verb's own (<paramref name="seed"/>, <paramref name="duration"/>,
    /// <paramref name="outputDirectory"/>), with what the system file (<c>--system</c>) says; a
    /// <see cref="UsageException"/> naming the option, or the file's line and key, when one is malformed or a setting is
    /// given both ways.
    /// </summary>
    public async Task<RunOptions> BindAsync(ParseResult parse, long seed, TimeSpan? duration, string outputDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var described = await DescriptionAsync(parse, cancellationToken);
        var remote = parse.GetValue(allowRemote) || described?.AllowRemote == true;
        var adapter = Adapter(described);
        var workload = load.Bind(parse);
        if (!adapter.Capabilities.Contains(FaultCapabilities.Jobs) && !load.JobRateGiven(parse))
        {
            // a system that runs no jobs gets no job load unless asked for one (then the run refuses it, naming why)
            workload = workload with { JobRate = 0 };
        }

        var database = Either(parse, postgres, described, described?.SaysStorage == true, "storage", described?.Postgres);
        if (database is not null && adapter is not ReferenceSystemAdapter)
        {
            // only the reference system keeps its store where the run says; another would silently ignore it
            throw new UsageException($"--postgres (storage:) gives the reference system its database; the system '{adapter.Name}' keeps its own storage");
        }

        var kind = Either(parse, topology, described, described?.Topology is not null, "topology", null) is { } kindFlag
            ? TopologyOption.Parse(kindFlag)
            : described?.Topology ?? TopologyKind.Processes;
        if (adapter is DeclaredSystemAdapter && kind != TopologyKind.Processes)
        {
            throw new UsageException($"--system {described!.Source}: its nodes are commands, which run on the processes topology (nodes from container images are not built yet, docs/systems.md)");
        }

        return new RunOptions
        {
            Seed = seed,
            Duration = duration,
            Ramp = RunCommand.DurationOrNone(parse.GetValue(ramp), "--ramp") ?? TimeSpan.FromSeconds(3),
            Warmup = RunCommand.Duration(parse.GetValue(warmup), "--warmup") ?? TimeSpan.FromSeconds(5),
            Workload = workload,
            System = adapter,
            SystemFile = described,
            Defects = RunCommand.Defects(parse.GetValue(defects), adapter),
            OutputDirectory = outputDirectory,
            Postgres = database,
            KafkaBootstrap = Either(parse, kafkaBootstrap, described, described?.SaysKafka == true, "kafka", null) is { } flag
                ? KafkaBootstrap(flag, remote)
                : described?.KafkaBootstrap,
            AllowRemote = remote,
            Topology = kind,
        };
    }

    /// <summary>The system file <c>--system</c> names, read and checked; null without one.</summary>
    private async Task<SystemDescription?> DescriptionAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        if (parse.GetValue(system) is not { } path)
        {
            return null;
        }

        try
        {
            return await SystemFile.LoadAsync(path, parse.GetValue(allowRemote), cancellationToken);
        }
        catch (SystemFileException e)
        {
            throw new UsageException($"--system: {e.Message}");
        }
    }

    /// <summary>The system's adapter: the reference system's, the one the system file's <c>adapter:</c> names, or the
    /// reference protocol's for the nodes its <c>nodes:</c> describes.</summary>
    private static ISystemAdapter Adapter(SystemDescription? described)
    {
        if (described?.Declared is { } declared)
        {
            return new DeclaredSystemAdapter(declared, described.System);
        }

        if (described?.Adapter is not { } path)
        {
            return ReferenceSystemAdapter.Instance;
        }

        try
        {
            return AdapterAssembly.Load(path, described.System);
        }
        catch (ArgumentException e)
        {
            throw new UsageException($"--system {described.Source}: {e.Message}");
        }
    }

    /// <summary>The flag's value, unless the system file also says it (<paramref name="fileSays"/>): then a
    /// <see cref="UsageException"/> naming both, or, without the flag, <paramref name="fromFile"/>.</summary>
    private static string? Either(ParseResult parse, Option<string?> flag, SystemDescription? described, bool fileSays, string key, string? fromFile)
    {
        var given = parse.GetValue(flag);
        if (given is not null && fileSays)
        {
            throw new UsageException($"{flag.Name} and the system file {described!.Source} ({key}) both set it: give one");
        }

        return given ?? fromFile;
    }

    private static string? KafkaBootstrap(string? value, bool allowRemote)
    {
        try
        {
            return value is null ? null : ExistingKafka.ParseBootstrap(value, allowRemote);
        }
        catch (Exception e) when (e is ArgumentException or NonLoopbackTargetException)
        {
            throw new UsageException(e.Message);
        }
    }
}
