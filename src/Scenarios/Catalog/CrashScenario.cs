using System.Globalization;
using Chaos.Harness.Deployment;
using Chaos.Harness.Devices;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Failpoints;
using Chaos.Harness.Faults.Process;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Faults.Storage;
using Chaos.Harness.Runs;
using Chaos.Harness.Topology;
using Chaos.Reference.Adapter;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// What the process-crash scenarios share: faults made by <see cref="ProcessFaultFactory"/> on the run's role
/// instances, a catalogue of every process fault on every instance (so incident files may name any), a /metrics
/// baseline and device reconnect counts taken around the fault phase, and the check that every fault really killed
/// (or crashed) its process and the process came back.
/// </summary>
internal abstract class CrashScenario : Scenario
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public override FaultCatalogue Catalogue
    {
        get
        {
            var system = ReferenceSystemAdapter.OptionsFor(ConfigureSystem(new SystemRequirements()));
            var nodes = InstanceNames(system).ToList();
            var targets = ProcessFaultNames.All.ToDictionary(f => f, _ => (IEnumerable<string>)nodes, StringComparer.Ordinal);
            targets[SqliteLockFault.FaultName] = [SqliteLockFault.SqliteTarget];
            targets[PostgresDisconnectFault.FaultName] = [PostgresDisconnectFault.PostgresTarget];
            targets[StorageFullFault.FaultName] = [StorageFullFault.SqliteTarget];
            targets[SlowFsyncFault.FaultName] = [SlowFsyncFault.SqliteTarget];
            return new FaultCatalogue(targets);
        }
    }

    public override IFault CreateFault(FaultScheduleEntry entry, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(context);
        IFault fault = entry.Fault switch
        {
            SqliteLockFault.FaultName => new SqliteLockFault(SqlitePath(context)),
            PostgresDisconnectFault.FaultName => new PostgresDisconnectFault(PostgresConnectionString(context)),
            StorageFullFault.FaultName => new StorageFullFault(context.StorageVolume
                ?? throw new ArgumentException("storage-full: the run mounted no storage volume for the SQLite store (docs/faults.md, \"Storage faults\")")),
            SlowFsyncFault.FaultName => SlowFsyncFault.From(entry, context.FsyncShim
                ?? throw new ArgumentException("slow-fsync: the run built no shim for the SQLite store's syncs (docs/faults.md, \"Storage faults\")")),
            _ => ProcessFaultFactory.Create(entry, name => context.System.Nodes.FirstOrDefault(n => n.Name == name), context.System.Failpoints),
        };
        lock (Run(context).Faults)
        {
            Run(context).Faults.Add(fault);
        }

        return fault;
    }

    public override async Task RunFaultPhaseAsync(RunContext context, TimeSpan duration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var run = Run(context);
        foreach (var m in await ReadMetricsAsync(context, cancellationToken))
        {
            run.Baseline[m.Node] = m;
        }

        foreach (var device in context.Workload.Devices)
        {
            var hub = device.Hub;
            var wasReconnecting = false;
            device.Client.StateChanged += (state, _) =>
            {
                if (state == DeviceConnectionState.Reconnecting)
                {
                    wasReconnecting = true;
                }
                else if (state == DeviceConnectionState.Connected && wasReconnecting)
                {
                    wasReconnecting = false;
                    run.CountReconnect(hub);
                }
            };
        }

        // Sample /metrics every second: counters live per incarnation, and an instance that re-read records may be
        // killed later in the phase, taking its evidence with it.
        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = SampleAsync(context, run, stopSampling.Token);
        try
        {
            await base.RunFaultPhaseAsync(context, duration, cancellationToken);
        }
        finally
        {
            await stopSampling.CancelAsync();
            await sampler;
        }
    }

    private static async Task SampleAsync(RunContext context, CrashRun run, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                run.Sample(await ReadMetricsAsync(context, cancellationToken));
                await Task.Delay(TimeSpan.FromSeconds(1), context.TimeProvider, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // the phase is over
        }
    }

    /// <summary>Instance names for a deployment shaped like <paramref name="system"/>: api-1, notifier-1, ...</summary>
    protected static IEnumerable<string> InstanceNames(ReferenceSystemOptions system) =>
        Instances("api", system.ApiInstances).Concat(Instances("notifier", system.NotifierInstances))
            .Concat(Instances("gateway", system.GatewayInstances)).Concat(Instances("jobs", system.JobsInstances));

    protected static IEnumerable<string> Instances(string role, int count) =>
        Enumerable.Range(1, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{role}-{i}"));

    /// <summary>A deterministic pick in [0, n) from the seed and a salt (schedules must be the same for the same seed on any machine).</summary>
    protected static int Pick(long seed, int salt, int n)
    {
        var x = unchecked((ulong)seed + ((ulong)salt * 0x9E3779B97F4A7C15UL));
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        x ^= x >> 31;
        return (int)(x % (ulong)n);
    }

    /// <summary>Whole milliseconds, so the schedule file round-trips exactly.</summary>
    protected static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(Math.Round(milliseconds));

    /// <summary>The faults this run created (applied or not), in creation order.</summary>
    protected IReadOnlyList<IFault> FaultsOf(RunContext context)
    {
        var faults = Run(context).Faults;
        lock (faults)
        {
            return [.. faults];
        }
    }

    protected IReadOnlyDictionary<string, RoleMetrics> BaselineOf(RunContext context) => Run(context).Baseline;

    /// <summary>How many devices of <paramref name="hub"/> went from reconnecting back to connected during the run.</summary>
    protected int ReconnectsOf(RunContext context, Uri hub) => Run(context).Reconnects(hub);

    /// <summary>
    /// Null when every fault that was applied did what it says: a kill/terminate/restart saw its incarnation exit and
    /// a new one running; a pause paused and was resumed; a crash failpoint crashed the instance, which came back.
    /// Unless <paramref name="requireOne"/> is false, a phase in which none of them was applied is a problem too.
    /// </summary>
    internal static string? CheckFaults(RunContext context, IReadOnlyList<IFault> faults, bool requireOne = true)
    {
        var problems = new List<string>();
        foreach (var failed in context.Nemesis.Applied.Where(a => a.Error is not null))
        {
            problems.Add($"{failed.Name} on {failed.Target} could not be applied ({failed.Error})");
        }

        var applied = 0;
        foreach (var fault in faults)
        {
            switch (fault)
            {
                case SqliteLockFault storage:
                    applied++;
                    if (!storage.Locked)
                    {
                        problems.Add($"{storage.Name} on {storage.Target}: {storage.Outcome ?? "not applied"}");
                    }

                    break;
                case StorageFullFault full:
                    applied++;
                    if (!full.TookEffect)
                    {
                        problems.Add($"{full.Name} on {full.Target}: {full.Outcome ?? "not applied"} (the disk never had 0 bytes free)");
                    }

                    break;
                case SlowFsyncFault slow:
                    applied++;
                    if (!slow.TookEffect)
                    {
                        problems.Add($"{slow.Name} on {slow.Target}: {slow.Outcome ?? "not applied"} (the store made no sync while it held, so none was slowed)");
                    }

                    break;
                case PostgresDisconnectFault disconnect:
                    applied++;
                    if (!disconnect.TookEffect)
                    {
                        problems.Add($"{disconnect.Name} on {disconnect.Target}: {disconnect.Outcome ?? "not applied"} (no connection of the system was dropped)");
                    }

                    break;
                case ProcessStarveFault { HitIncarnation: not null } starve:
                    applied++;
                    // the same incarnation all through the cycle (a later fault may restart the node: random-mix)
                    if (!starve.Starved || starve.Interrupted is not null)
                    {
                        problems.Add($"{starve.Name} on {starve.Target}: {starve.Outcome}");
                    }

                    break;
                case ProcessPauseFault { HitIncarnation: not null } pause:
                    applied++;
                    if (!pause.Paused || !pause.Resumed)
                    {
                        problems.Add($"{pause.Name} on {pause.Target}: {pause.Outcome}");
                    }

                    break;
                case ProcessFault { HitIncarnation: not null } process:
                    applied++;
                    if (!process.Died || !process.CameBack)
                    {
                        problems.Add($"{process.Name} on {process.Target}: {process.Outcome}");
                    }

                    break;
                case FailpointFault { ArmedIncarnation: not null } failpoint:
                    applied++;
                    if (!failpoint.Fired)
                    {
                        problems.Add($"failpoint on {failpoint.Target}: {failpoint.Outcome}");
                    }
                    else if (failpoint.Crashed && !(failpoint.Node.IsRunning && failpoint.Node.Incarnation > failpoint.ArmedIncarnation))
                    {
                        problems.Add($"failpoint on {failpoint.Target} crashed it but it did not come back: {failpoint.Outcome}");
                    }

                    break;
            }
        }

        if (requireOne && applied == 0 && problems.Count == 0)
        {
            problems.Add("no fault was applied during the fault phase");
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>The run's SQLite database file; storage-lock has nothing to lock on PostgreSQL.</summary>
    private static string SqlitePath(RunContext context) =>
        context.System.Database is { } database && database.StartsWith("sqlite:", StringComparison.Ordinal)
            ? database["sqlite:".Length..]
            : throw new ArgumentException("storage-lock: the run's store is not SQLite (it locks the SQLite database file; with --postgres there is none)");

    /// <summary>The run's own PostgreSQL database (Deployment/RunDatabase); storage-disconnect has none to act on with SQLite.</summary>
    private static string PostgresConnectionString(RunContext context) =>
        context.System.Database is { } database && database.StartsWith("postgres:", StringComparison.Ordinal)
            ? database["postgres:".Length..]
            : throw new ArgumentException("storage-disconnect: the run's store is not PostgreSQL (it drops the connections to the run's PostgreSQL database; add --postgres)");

    /// <summary>True when the fault ended an incarnation of its target (crash, kill, terminate or restart).</summary>
    protected static bool KilledOrCrashed(IFault fault) => fault switch
    {
        FailpointFault f => f.Crashed,
        ProcessPauseFault => false,
        ProcessStarveFault => false,
        ProcessFault p => p.Died,
        _ => false,
    };

    /// <summary>Reads every role instance's /metrics now (the verification hook, once, after the drain), bounded to 20 s.</summary>
    protected async Task<IReadOnlyList<RoleMetrics>> ReadMetricsNowAsync(RunContext context, CancellationToken cancellationToken)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(20));
        var now = await ReadMetricsAsync(context, bound.Token);
        Run(context).Sample(now);
        return now;
    }

    /// <summary>The last reading of every (instance, incarnation) seen during the phase and after it, including ones since killed.</summary>
    protected IReadOnlyList<RoleMetrics> SamplesOf(RunContext context) => Run(context).Samples();

    protected static async Task<IReadOnlyList<RoleMetrics>> ReadMetricsAsync(RunContext context, CancellationToken cancellationToken)
    {
        var reads = await Task.WhenAll(context.System.Nodes.Select(n => RoleMetrics.ReadAsync(n, Http, cancellationToken)));
        return [.. reads.OfType<RoleMetrics>()];
    }

    private CrashRun Run(RunContext context) => context.State<CrashRun>();

    private sealed class CrashRun
    {
        private readonly Dictionary<Uri, int> _reconnects = [];

        public List<IFault> Faults { get; } = [];

        public Dictionary<string, RoleMetrics> Baseline { get; } = new(StringComparer.Ordinal);

        private readonly Dictionary<(string Node, int Incarnation), RoleMetrics> _samples = [];

        public void Sample(IEnumerable<RoleMetrics> readings)
        {
            lock (_samples)
            {
                foreach (var m in readings)
                {
                    _samples[(m.Node, m.Incarnation)] = m;
                }
            }
        }

        public IReadOnlyList<RoleMetrics> Samples()
        {
            lock (_samples)
            {
                return [.. _samples.Values];
            }
        }

        public void CountReconnect(Uri hub)
        {
            lock (_reconnects)
            {
                _reconnects[hub] = _reconnects.GetValueOrDefault(hub) + 1;
            }
        }

        public int Reconnects(Uri hub)
        {
            lock (_reconnects)
            {
                return _reconnects.GetValueOrDefault(hub);
            }
        }
    }

    protected static void RecordEvidence(RunContext context, string detail) => FaultEvidence.Record(context, detail);

    /// <summary>The topology node with this name among the run's roles.</summary>
    protected static ITopologyNode? NodeOf(RunContext context, string name) => context.System.Nodes.FirstOrDefault(n => n.Name == name);
}
