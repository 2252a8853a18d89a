using Chaos.Harness.Deployment;
using Chaos.Harness.Faults.Downstream;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.History;
using Chaos.Harness.Sut;
using Chaos.Harness.Topology;
using Chaos.Harness.Workload;

namespace Chaos.Harness.Runs;

/// <summary>What a scenario's fault phase can reach: the deployment, the workload's devices, the history, the seed.</summary>
public sealed class RunContext
{
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

    /// <summary>The fault proxies in front of the gateways, when the workload asked for them (<see cref="ChatWorkloadOptions.ProxyGateways"/>).</summary>
    public GatewayProxies? Proxies { get; internal init; }

    /// <summary>Faults in force now, for live progress: a snapshot from the <see cref="Nemesis"/>, their one owner.</summary>
    public IReadOnlyList<string> ActiveFaults => Nemesis.ActiveFaults;
}
