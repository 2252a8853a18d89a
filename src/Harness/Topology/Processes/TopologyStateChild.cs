namespace Chaos.Harness.Topology.Processes;

/// <summary>One child in a state file: its pid and start time (identity across pid reuse) and whether it leads its own process group.</summary>
internal sealed record TopologyStateChild(string Node, int Pid, long StartTime, bool OwnGroup);
