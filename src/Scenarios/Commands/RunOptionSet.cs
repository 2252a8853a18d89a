using System.CommandLine;
using Chaos.Harness.Deployment;
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
    private readonly Option<string[]> defects = new("--defect") { Description = "Switch on a defect of the reference system (repeatable).", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string?> postgres = new("--postgres") { Description = "A PostgreSQL connection string for the system's storage (default: SQLite in the run folder)." };
    private readonly Option<string?> kafkaBootstrap = new("--kafka-bootstrap") { Description = "host:port[,...] of a Kafka cluster the run did not start, with the system's topics absent or empty (default: the embedded cluster, one per run); broker faults are refused (docs/running.md)." };
    private readonly Option<bool> allowRemote = new("--allow-remote") { Description = "Allow targets that are not loopback (refused by default)." };
    private readonly Option<string?> topology = TopologyOption.Create("Where the system runs: processes (default) or containers (Docker; see docs/containers.md).");

    private readonly LoadOptionSet load;

    /// <param name="withRate">Whether the verb takes <c>--rate</c> (<c>capacity</c> sets the rate of each step itself).</param>
    public RunOptionSet(bool withRate = true) => load = new LoadOptionSet(withRate);

    /// <summary>Adds every shared option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in new Option[] { ramp, warmup }.Concat(load.Options).Concat([defects, postgres, kafkaBootstrap, allowRemote, topology]))
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// A run's options from the shared ones and the verb's own (<paramref name="seed"/>, <paramref name="duration"/>,
    /// <paramref name="outputDirectory"/>); a <see cref="UsageException"/> naming the option when one is malformed.
    /// </summary>
    public RunOptions Bind(ParseResult parse, long seed, TimeSpan? duration, string outputDirectory)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return new RunOptions
        {
            Seed = seed,
            Duration = duration,
            Ramp = RunCommand.DurationOrNone(parse.GetValue(ramp), "--ramp") ?? TimeSpan.FromSeconds(3),
            Warmup = RunCommand.Duration(parse.GetValue(warmup), "--warmup") ?? TimeSpan.FromSeconds(5),
            Workload = load.Bind(parse),
            Devices = ReferenceDeviceClients.Instance,
            Defects = RunCommand.Defects(parse.GetValue(defects)),
            OutputDirectory = outputDirectory,
            Postgres = parse.GetValue(postgres),
            KafkaBootstrap = KafkaBootstrap(parse.GetValue(kafkaBootstrap), parse.GetValue(allowRemote)),
            AllowRemote = parse.GetValue(allowRemote),
            Topology = TopologyOption.Parse(parse.GetValue(topology)),
        };
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
