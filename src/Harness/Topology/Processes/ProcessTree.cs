namespace Chaos.Harness.Topology.Processes;

/// <summary>
/// Signals a node's whole tree: its process group (nodes are started in their own session, so the group is theirs)
/// and, from a /proc snapshot taken first, every descendant — also ones that left the group (setsid, daemons).
/// </summary>
internal static class ProcessTree
{
    public static void Signal(int pid, bool ownGroup, int signal)
    {
        // Snapshot before signalling: a killed parent's children are re-parented and would drop out of the walk.
        var descendants = ProcFs.IsAvailable ? ProcFs.Descendants(pid) : [];
        if (ownGroup)
        {
            PosixSignals.Send(-pid, signal);
        }

        PosixSignals.Send(pid, signal);
        foreach (var descendant in descendants)
        {
            PosixSignals.Send(descendant, signal);
        }
    }
}
