using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Process;

/// <summary><c>process-kill</c>: SIGKILL to the node's process tree — no shutdown, no Kafka leave; heal restarts it.</summary>
public sealed class ProcessKillFault(ITopologyNode node) : ProcessFault(node)
{
    public override string Name => ProcessFaultNames.Kill;

    protected override async Task ApplyCoreAsync(CancellationToken cancellationToken)
    {
        await Node.KillAsync(cancellationToken);
        MarkExited();
    }
}
