namespace Chaos.Harness.Topology;

/// <summary>An incarnation of a node exited.</summary>
public sealed class NodeExitedEventArgs(ITopologyNode node, int incarnation, int exitCode, bool expected) : EventArgs
{
    /// <summary>The node.</summary>
    public ITopologyNode Node { get; } = node;

    /// <summary>Which start of the node exited (1 = the launch).</summary>
    public int Incarnation { get; } = incarnation;

    /// <summary>Its exit code (128 + signal number when killed by a signal).</summary>
    public int ExitCode { get; } = exitCode;

    /// <summary>True when the harness caused it (kill, terminate, restart, dispose); false for a crash.</summary>
    public bool Expected { get; } = expected;
}
