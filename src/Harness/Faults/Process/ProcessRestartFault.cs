using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Process;

/// <summary>
/// <c>process-restart</c>: SIGTERM, start again from the same spec and ports, wait until ready; heal restarts it if it is
/// down. A new incarnation that exits before it is ready, or never becomes ready, is the system failing to start, not the
/// fault failing to apply: the apply succeeds with that in its outcome (<see cref="StartFailure"/>), the heal starts it
/// again, and a node still down once the run is drained is the system's <c>node-down</c> (docs/checkers.md). Only a start
/// that lost its port to another program is the fault's error (the environment's, not the system's doing).
/// </summary>
public sealed class ProcessRestartFault(ITopologyNode node) : ProcessFault(node)
{
    public override string Name => ProcessFaultNames.Restart;

    /// <summary>How the new incarnation failed to start, when it did; null when it came up ready.</summary>
    public string? StartFailure { get; private set; }

    protected override async Task ApplyCoreAsync(CancellationToken cancellationToken)
    {
        // A restart once begun is finished (bounded by the node's startup timeout) even when the fault phase ends
        // meanwhile: cancelling it half way would leave the node down, with the outcome recorded as "not applied".
        using var bound = new CancellationTokenSource(Node.Spec.StartupTimeout + Node.Spec.TerminateGrace + TimeSpan.FromSeconds(10));
        try
        {
            await Node.RestartAsync(bound.Token);
        }
        catch (NodeStartupException e) when (Node.Incarnation > HitIncarnation && !NodeLaunches.IsPortTaken(e))
        {
            StartFailure = e is NodeExitedDuringStartupException exited
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"exited with {exited.ExitCode} before it was ready")
                : "never became ready";
        }

        MarkExited();
    }

    protected override string Describe() => !Died
        ? $"incarnation {HitIncarnation} was not restarted"
        : StartFailure is { } failure
            ? $"incarnation {HitIncarnation} stopped and started again, but the new incarnation {failure}"
            : $"incarnation {HitIncarnation} stopped and started again";
}
