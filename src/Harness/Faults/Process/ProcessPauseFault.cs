using System.Globalization;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Process;

/// <summary><c>process-pause</c>: SIGSTOP to the node's process tree (a frozen process: sockets open, nothing answers); heal resumes it.</summary>
public sealed class ProcessPauseFault(ITopologyNode node) : ProcessFault(node)
{
    public override string Name => ProcessFaultNames.Pause;

    /// <summary>True once the node was observed stopped.</summary>
    public bool Paused { get; private set; }

    /// <summary>True once the heal resumed the same incarnation.</summary>
    public bool Resumed { get; private set; }

    public override string? Outcome => HitIncarnation is null
        ? null
        : string.Create(CultureInfo.InvariantCulture, $"incarnation {HitIncarnation} {(Paused ? "paused" : "not paused")}{(Resumed ? ", resumed" : "")}")
          + (Node.IsRunning ? "" : "; down");

    public override async Task HealAsync(CancellationToken cancellationToken)
    {
        var wasPaused = Node.State == NodeState.Paused && Node.Incarnation == HitIncarnation;
        await base.HealAsync(cancellationToken);
        Resumed |= wasPaused && Node.State != NodeState.Paused;
    }

    protected override async Task ApplyCoreAsync(CancellationToken cancellationToken)
    {
        await Node.PauseAsync(cancellationToken);
        Paused = Node.State == NodeState.Paused;
    }
}
