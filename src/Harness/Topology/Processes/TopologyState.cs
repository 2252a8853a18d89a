namespace Chaos.Harness.Topology.Processes;

/// <summary>The content of a state file: who owns the children (harness pid + start time, per boot) and the children.</summary>
internal sealed record TopologyState(
    string BootId,
    int HarnessPid,
    long HarnessStartTime,
    string RunDirectory,
    IReadOnlyList<TopologyStateChild> Children);
