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
        var targets = new List<int>(descendants.Count + 2);
        if (ownGroup)
        {
            targets.Add(-pid);
        }

        targets.Add(pid);
        targets.AddRange(descendants);
        TopologyException? first = null;
        foreach (var target in targets)
        {
            try
            {
                PosixSignals.Send(target, signal);
            }
            catch (TopologyException ex)
            {
                // One process we may not signal (e.g. a setuid descendant) must not spare the others.
                first ??= ex;
            }
        }

        if (first is not null)
        {
            throw first;
        }
    }
}
