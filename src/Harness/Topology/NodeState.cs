namespace Chaos.Harness.Topology;

/// <summary>The life-cycle state of a node's current incarnation.</summary>
public enum NodeState
{
    /// <summary>Started, not yet ready.</summary>
    Starting,

    /// <summary>Ready and not paused.</summary>
    Running,

    /// <summary>Stopped with SIGSTOP (or a paused container).</summary>
    Paused,

    /// <summary>The incarnation has exited.</summary>
    Exited,
}
