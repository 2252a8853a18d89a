using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chaos.Harness.Topology.Processes;

/// <summary>
/// Kills the leftovers of topologies whose harness died without cleaning up (SIGKILL, power cut of the harness
/// only). Reads the state files in the state directory — a directory of this user's that no one else may write, and
/// only the files this user owns (<see cref="OwnedFiles"/>); skips files whose harness is still alive (a concurrent
/// run) and files that vanish while it reads (harnesses start and stop concurrently); kills a recorded child only
/// when a process with that pid exists, is not a zombie, has the recorded start time (so a reused pid is never
/// killed) and carries the harness's mark in its environment (<c>CHAOS_PARENT_PID=&lt;the dead harness's pid&gt;</c>:
/// a file naming someone else's process gets nothing killed), together with its process group. It also removes the
/// dead harness's own .NET runtime files (<see cref="RemoveRuntimeFiles"/>), which a SIGKILL left in $TMPDIR, and (as
/// root) unmounts the storage volumes of harnesses that are gone (<see cref="Deployment.StorageVolume.UnmountLeftovers"/>).
/// </summary>
public static class ProcessReaper
{
    /// <summary>The default state directory: <c>$TMPDIR/chaos-topology-&lt;uid&gt;</c> (0700), one per user.</summary>
    public static string DefaultStateDirectory =>
        Path.Combine(Path.GetTempPath(), OperatingSystem.IsLinux() ? $"chaos-topology-{OwnedFiles.EffectiveUserId}" : "chaos-topology");

    /// <summary>Reaps leftovers recorded in <paramref name="stateDirectory"/>; returns the pids it killed.</summary>
    /// <param name="stateDirectory">The state directory: <see cref="DefaultStateDirectory"/> when null.</param>
    /// <param name="logger">Where each reaped leftover is logged.</param>
    /// <param name="runtimeDirectory">Where the dead harnesses' runtime files are: $TMPDIR when null.</param>
    public static IReadOnlyList<int> Reap(string? stateDirectory = null, ILogger? logger = null, string? runtimeDirectory = null)
    {
        stateDirectory ??= DefaultStateDirectory;
        runtimeDirectory ??= Path.GetTempPath();
        logger ??= NullLogger.Instance;
        var killed = new List<int>();
        if (OwnedFiles.EffectiveUserId == 0)
        {
            // a storage volume outlives a SIGKILLed harness as a mount (Deployment/StorageVolume), whatever its state file
            foreach (var volume in Deployment.StorageVolume.UnmountLeftovers())
            {
                TopologyLog.ReapedVolume(logger, volume);
            }
        }

        if (!Directory.Exists(stateDirectory) || !ProcFs.IsAvailable)
        {
            return killed;
        }

        OwnedFiles.EnsurePrivateDirectory(stateDirectory);
        var bootId = ProcFs.BootId();
        foreach (var file in Directory.EnumerateFiles(stateDirectory, "topology-*.json"))
        {
            if (!OwnedFiles.IsOwnRegularFile(file))
            {
                continue; // not written by this user (or a link): its pids are not ours to trust, nor the file ours to delete
            }

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
                    foreach (var pid in ReapChild(child, state.HarnessPid))
                    {
                        TopologyLog.ReapedLeftover(logger, pid, child.Node, state.HarnessPid);
                        killed.Add(pid);
                    }
                }

                RemoveRuntimeFiles(runtimeDirectory, state.HarnessPid, state.HarnessStartTime);
            }

            TryDelete(file);
        }

        return killed;
    }

    private static List<int> ReapChild(TopologyStateChild child, int harnessPid)
    {
        var killed = new List<int>();
        var mark = $"{ParentWatch.EnvironmentVariable}={harnessPid}";
        if (ProcFs.TryReadStat(child.Pid, out var leader))
        {
            if (leader.StartTime != child.StartTime || leader.IsZombie || !ProcFs.HasEnvironmentEntry(child.Pid, mark))
            {
                return killed; // the pid was reused, is a zombie, or is not a child of that harness: never kill it or its group
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
                if (ProcFs.TryReadStat(member, out var stat) && stat.StartTime >= child.StartTime && ProcFs.HasEnvironmentEntry(member, mark))
                {
                    PosixSignals.Send(member, PosixSignals.SigKill);
                    killed.Add(member);
                }
            }
        }

        return killed;
    }

    /// <summary>
    /// A .NET process makes a diagnostics socket and two debugger pipes in $TMPDIR named after its pid and start time
    /// (<c>dotnet-diagnostic-&lt;pid&gt;-&lt;start&gt;-socket</c>, <c>clr-debug-pipe-&lt;pid&gt;-&lt;start&gt;-in</c> and
    /// <c>-out</c>) and removes them when it exits cleanly; a SIGKILLed harness cannot. Its state file names that pid
    /// and start time, in this boot, so these exact names are that dead process's: removed when they are a socket or a
    /// pipe of this user's, never a regular file or a link (docs/topology.md, "Reaper"). The harness's children need
    /// none of this: they run with diagnostics off (<see cref="ChildDiagnostics"/>).
    /// </summary>
    internal static void RemoveRuntimeFiles(string directory, int pid, long startTime)
    {
        foreach (var name in (ReadOnlySpan<string>)[$"dotnet-diagnostic-{pid}-{startTime}-socket", $"clr-debug-pipe-{pid}-{startTime}-in", $"clr-debug-pipe-{pid}-{startTime}-out"])
        {
            var path = Path.Combine(directory, name);
            if (OwnedFiles.IsOwnSocketOrFifo(path))
            {
                TryDelete(path);
            }
        }
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
