using System.Diagnostics;

namespace Chaos.Harness.Topology.Processes;

/// <summary>One start of a node: its process, whether it leads its own process group, and its kernel start time.</summary>
internal sealed class ProcessIncarnation(int number, Process process, bool ownGroup) : NodeIncarnation(number)
{
    private volatile bool exitObserved;

    public Process Process { get; } = process;

    public bool OwnGroup { get; } = ownGroup;

    public long StartTime { get; set; }

    /// <summary>The kernel reported the exit: from here on the pid may be reused, so it must not be signalled.</summary>
    public bool ExitObserved { get => exitObserved; set => exitObserved = value; }

    public override bool HasExited => Exit.Task.IsCompleted || ExitObserved;
}
