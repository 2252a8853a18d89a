using System.Collections.Concurrent;
using Chaos.Harness.Deployment;
using Chaos.Harness.Faults.Downstream;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.History;
using Chaos.Harness.Proxy;
using Chaos.Harness.Topology;
using Chaos.Harness.Workload;

namespace Chaos.Harness.Runs;

/// <summary>What a scenario's fault phase can reach: the deployment, the workload's devices, the history, the seed.</summary>
public sealed class RunContext
{
    private readonly ConcurrentDictionary<Type, object> _state = new();

    internal RunContext(RunOptions options, ITopology topology, ISystemDeployment system, ChatWorkload workload, HistoryWriter history, FaultSchedule schedule, DownstreamProvider downstream)
    {
        Downstream = downstream;
        Schedule = schedule;
        Nemesis = new Nemesis(history);
        Options = options;
        Topology = topology;
        System = system;
        Workload = workload;
        History = history;
    }

    public RunOptions Options { get; }

    public ITopology Topology { get; }

    /// <summary>The deployed system, through the deployment seam (docs/architecture.md, "The deployment seam").</summary>
    public ISystemDeployment System { get; }

    public ChatWorkload Workload { get; }

    public HistoryWriter History { get; }

    /// <summary>The jobs' payment provider, hosted by the harness: downstream faults set its conditions, and every call
    /// it receives is in the history (<c>f = "call"</c>).</summary>
    public DownstreamProvider Downstream { get; }

    /// <summary>The fault timeline this run plays (generated from the seed, or replayed).</summary>
    public FaultSchedule Schedule { get; }

    /// <summary>The owner of every fault applied during the run.</summary>
    public Nemesis Nemesis { get; }

    public long Seed => Options.Seed;

    public TimeProvider TimeProvider => Options.TimeProvider;

    /// <summary>The fault proxies in front of the instances devices connect to, when the workload asked for them (<see cref="ChatWorkloadOptions.ProxyGateways"/>).</summary>
    public DeviceProxies? Proxies { get; internal init; }

    /// <summary>The volume the system's SQLite store lives on, when the schedule makes the disk full (<c>storage-full</c>).</summary>
    public StorageVolume? StorageVolume { get; internal init; }

    /// <summary>The shim holding the store's syncs, when the schedule makes them slow (<c>slow-fsync</c>).</summary>
    public FsyncShim? FsyncShim { get; internal init; }

    /// <summary>Faults in force now, for live progress: a snapshot from the <see cref="Nemesis"/>, their one owner.</summary>
    public IReadOnlyList<string> ActiveFaults => Nemesis.ActiveFaults;

    /// <summary>
    /// The run's one <typeparamref name="T"/>, created on first use: what a scenario keeps between its hooks for this run
    /// (the faults it made, what it read after the fault phase). It lives and dies with the run, so a scenario object —
    /// one per catalogue, reused by every run of a suite — holds no per-run state of its own (docs/architecture.md,
    /// "Scenarios").
    /// </summary>
    public T State<T>()
        where T : class, new() => (T)_state.GetOrAdd(typeof(T), static _ => new T());

    /// <summary>The run's <typeparamref name="T"/> if a hook made one, else null (a phase that never ran made none).</summary>
    public T? StateOrNull<T>()
        where T : class => _state.TryGetValue(typeof(T), out var state) ? (T)state : null;

    /// <summary>Sets (or replaces) the run's <typeparamref name="T"/>.</summary>
    public void SetState<T>(T state)
        where T : class => _state[typeof(T)] = state ?? throw new ArgumentNullException(nameof(state));
}
