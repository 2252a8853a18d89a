namespace Chaos.Harness.Topology;

/// <summary>Which back-end runs the nodes of a run (<c>chaos run --topology</c>).</summary>
public enum TopologyKind
{
    /// <summary>Child processes on loopback (the default; runs anywhere).</summary>
    Processes,

    /// <summary>One Docker container per node (host network), through Testcontainers.</summary>
    Containers,
}
