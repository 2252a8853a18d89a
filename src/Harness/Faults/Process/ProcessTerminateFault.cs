using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Process;

/// <summary><c>process-terminate</c>: SIGTERM (a graceful stop, SIGKILL after the spec's grace); heal restarts it.</summary>
public sealed class ProcessTerminateFault(ITopologyNode node) : ProcessFault(node)
{
    public override string Name => ProcessFaultNames.Terminate;

    protected override async Task ApplyCoreAsync(CancellationToken cancellationToken)
    {
        await Node.TerminateAsync(null, cancellationToken);
        MarkExited();
    }
}
