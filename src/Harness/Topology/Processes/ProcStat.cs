namespace Chaos.Harness.Topology.Processes;

/// <summary>The fields of /proc/&lt;pid&gt;/stat the topology uses.</summary>
/// <param name="Pid">Process id.</param>
/// <param name="State">R, S, D, T (stopped), Z (zombie), ...</param>
/// <param name="ParentPid">Parent's pid.</param>
/// <param name="ProcessGroup">Process group id.</param>
/// <param name="StartTime">Start time in clock ticks since boot: with the boot id, identifies a process across pid reuse.</param>
internal readonly record struct ProcStat(int Pid, char State, int ParentPid, int ProcessGroup, long StartTime)
{
    public bool IsZombie => State is 'Z' or 'X';

    public bool IsStopped => State is 'T' or 't';
}
