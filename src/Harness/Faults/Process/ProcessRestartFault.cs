using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Process;

/// <summary><c>process-restart</c>: SIGTERM, start again from the same spec and ports, wait until ready; heal restarts it if it is down.</summary>
public sealed class ProcessRestartFault(ITopologyNode node) : ProcessFault(node)
{
    public override string Name => ProcessFaultNames.Restart;

    protected override async Task ApplyCoreAsync(CancellationToken cancellationToken)
    {
        await Node.RestartAsync(cancellationToken);
        MarkExited();
    }
}
