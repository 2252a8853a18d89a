using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Process;

/// <summary>
/// <c>process-restart</c>: SIGTERM, start again from the same spec and ports, wait until ready; heal restarts it if it is
/// down. A new incarnation that exits before it is ready, or never becomes ready, is the system failing to start, not the
/// fault failing to apply: the apply succeeds with that in its outcome (<see cref="StartFailure"/>), the heal starts it
/// again, and a node still down once the run is drained is the system's <c>node-down</c> (docs/checkers.md). Only a start
/// that lost its port to another program is the fault's error (the environment's, not the system's doing); a start that
/// another fault of the run stopped (a kill or a pause of the same node while it started) is neither: the apply succeeds
/// saying so (<see cref="Interrupted"/>), and no <c>node-down</c> is recorded for it.
/// </summary>
public sealed class ProcessRestartFault(ITopologyNode node) : ProcessFault(node)
{
    public override string Name => ProcessFaultNames.Restart;

    /// <summary>How the new incarnation failed to start, when it did; null when it came up ready.</summary>
    public string? StartFailure { get; private set; }

    /// <summary>How another fault stopped the new incarnation's start, when one did (not the system's failure); else null.</summary>
    public string? Interrupted { get; private set; }

    protected override async Task ApplyCoreAsync(CancellationToken cancellationToken)
    {
        // A restart once begun is finished (bounded by the node's startup timeout) even when the fault phase ends
        // meanwhile: cancelling it half way would leave the node down, with the outcome recorded as "not applied".
        using var bound = new CancellationTokenSource(Node.Spec.StartupTimeout + Node.Spec.TerminateGrace + TimeSpan.FromSeconds(10));
        try
        {
            await Node.RestartAsync(bound.Token);
        }
        catch (NodeStartupException e) when (Node.Incarnation > HitIncarnation && e.HarnessInterfered)
        {
            // another fault of the run killed, stopped or paused the new incarnation while it started (random-mix may
            // draw a kill of the same node a moment after a restart): the harness's doing, not the system's failing to
            // start; that fault's heal brings the node back, and the drain's node check judges whether it came
            Interrupted = e is NodeExitedDuringStartupException stopped
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"was stopped by the harness (exit {stopped.ExitCode}: another fault) before it was ready")
                : "was paused by the harness (another fault) and not ready in time";
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
            : Interrupted is { } interrupted
                ? $"incarnation {HitIncarnation} stopped and started again; the new incarnation {interrupted}"
                : $"incarnation {HitIncarnation} stopped and started again";
}
