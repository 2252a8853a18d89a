using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Process;

/// <summary><c>process-restart</c>: SIGTERM, start again from the same spec and ports, wait until ready; heal restarts it if it is down.</summary>
public sealed class ProcessRestartFault(ITopologyNode node) : ProcessFault(node)
{
    public override string Name => ProcessFaultNames.Restart;

    protected override async Task ApplyCoreAsync(CancellationToken cancellationToken)
    {
        // A restart once begun is finished (bounded by the node's startup timeout) even when the fault phase ends
        // meanwhile: cancelling it half way would leave the node down, with the outcome recorded as "not applied".
        using var bound = new CancellationTokenSource(Node.Spec.StartupTimeout + Node.Spec.TerminateGrace + TimeSpan.FromSeconds(10));
        await Node.RestartAsync(bound.Token);
        MarkExited();
    }

    protected override string Describe() => Died
        ? $"incarnation {HitIncarnation} stopped and started again"
        : $"incarnation {HitIncarnation} was not restarted";
}
