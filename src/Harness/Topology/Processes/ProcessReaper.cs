using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chaos.Harness.Topology.Processes;

/// <summary>
/// Kills the leftovers of topologies whose harness died without cleaning up (SIGKILL, power cut of the harness
/// only). Reads the state files in the state directory; skips files whose harness is still alive (a concurrent
/// run) and files that vanish while it reads (harnesses start and stop concurrently); kills a recorded child only when a process with that pid exists, is not a zombie and has the recorded
/// start time (so a reused pid is never killed), together with its process group.
/// </summary>
public static class ProcessReaper
{
    /// <summary>The default state directory: <c>$TMPDIR/chaos-topology</c>.</summary>
    public static string DefaultStateDirectory => Path.Combine(Path.GetTempPath(), "chaos-topology");

    /// <summary>Reaps leftovers recorded in <paramref name="stateDirectory"/>; returns the pids it killed.</summary>
    public static IReadOnlyList<int> Reap(string? stateDirectory = null, ILogger? logger = null)
    {
        stateDirectory ??= DefaultStateDirectory;
        logger ??= NullLogger.Instance;
        var killed = new List<int>();
        if (!Directory.Exists(stateDirectory) || !ProcFs.IsAvailable)
        {
            return killed;
        }

        var bootId = ProcFs.BootId();
        foreach (var file in Directory.EnumerateFiles(stateDirectory, "topology-*.json"))
        {
            TopologyState? state;
            try
            {
                state = TopologyStateFile.Read(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone between listing and reading (its harness disposed, or a concurrent harness reaped it), or not
                // ours to read: either way nothing of it is ours to reap, and a run must not fail over it.
                continue;
            }

            if (state is null)
            {
                TryDelete(file);
                continue;
            }

            if (state.BootId == bootId && ProcFs.IsSameLiveProcess(state.HarnessPid, state.HarnessStartTime))
            {
                continue; // its harness is alive: not ours to touch
            }

            if (state.BootId == bootId)
            {
                foreach (var child in state.Children)
                {
                    foreach (var pid in ReapChild(child))
                    {
                        TopologyLog.ReapedLeftover(logger, pid, child.Node, state.HarnessPid);
                        killed.Add(pid);
                    }
                }
            }

            TryDelete(file);
        }

        return killed;
    }

    private static List<int> ReapChild(TopologyStateChild child)
    {
        var killed = new List<int>();
        if (ProcFs.TryReadStat(child.Pid, out var leader))
        {
            if (leader.StartTime != child.StartTime || leader.IsZombie)
            {
                return killed; // the pid was reused (or is a zombie): never kill it or its group
            }

            ProcessTree.Signal(child.Pid, child.OwnGroup && leader.ProcessGroup == child.Pid, PosixSignals.SigKill);
            killed.Add(child.Pid);
            return killed;
        }

        if (child.OwnGroup)
        {
            // The leader is gone but members of its group may live on. While any member lives, the kernel keeps the
            // group id allocated, so no new process can hold that pid and these members are the child's.
            foreach (var member in ProcFs.GroupMembers(child.Pid))
            {
                if (ProcFs.TryReadStat(member, out var stat) && stat.StartTime >= child.StartTime)
                {
                    PosixSignals.Send(member, PosixSignals.SigKill);
                    killed.Add(member);
                }
            }
        }

        return killed;
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // another harness reaps it at the same moment
        }
    }
}
