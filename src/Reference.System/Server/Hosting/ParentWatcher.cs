using System.Globalization;
using Chaos.Reference.Faults;

namespace Chaos.Reference.Hosting;

/// <summary>
/// Exits this process within ~1 s of the process named by CHAOS_PARENT_PID being gone, so nothing outlives a killed
/// harness. "Gone" on Linux means (from <c>/proc</c>): the pid no longer exists, is a zombie or dead (a harness that
/// died but whose own parent has not reaped it still has a <c>/proc/pid</c> directory — existence is not life), is
/// another process (a different start time: the pid was reused), or — when it was our real parent — we have been
/// re-parented. The harness's own watch (src/Harness/Topology/ParentWatch.cs) applies the same rules; this one is
/// separate because the reference system depends on nothing of the harness.
/// </summary>
internal static class ParentWatcher
{
    public static void Start()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("CHAOS_PARENT_PID"), out var pid) || pid <= 0)
        {
            return;
        }

        var startTime = TryReadStat(pid) is { } stat ? stat.StartTime : -1;
        var wasRealParent = TryReadStat(Environment.ProcessId) is { } self && self.ParentPid == pid;
        var thread = new Thread(() =>
        {
            while (!IsGone(pid, startTime, wasRealParent))
            {
                Thread.Sleep(250); // a dedicated watchdog thread; nothing else runs here
            }

            Console.Error.WriteLine($"parent {pid} is gone; exiting");
            ProcessExit.Immediately(3);
        })
        { IsBackground = true, Name = "parent-watcher" };
        thread.Start();
    }

    private static bool IsGone(int pid, long startTime, bool wasRealParent)
    {
        if (OperatingSystem.IsWindows())
        {
            try
            {
                using var p = System.Diagnostics.Process.GetProcessById(pid);
                return p.HasExited;
            }
            catch (ArgumentException)
            {
                return true;
            }
        }

        if (wasRealParent && TryReadStat(Environment.ProcessId) is { } self && self.ParentPid != pid)
        {
            return true; // re-parented: our parent exited, whatever state its pid is in now
        }

        return TryReadStat(pid) is not { } stat || stat.State is 'Z' or 'X' || (startTime >= 0 && stat.StartTime != startTime);
    }

    private readonly record struct Stat(char State, int ParentPid, long StartTime);

    /// <summary>Fields 3 (state), 4 (ppid) and 22 (start time) of <c>/proc/pid/stat</c>; null when it cannot be read.</summary>
    private static Stat? TryReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) S ppid ..." — comm may hold spaces and parentheses: the fields start after the last ')'
        var close = text.LastIndexOf(')');
        var fields = close < 0 || close + 2 > text.Length ? [] : text[(close + 2)..].Split(' ');
        return fields.Length >= 20 && fields[0].Length == 1
            && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ppid)
            && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            ? new Stat(fields[0][0], ppid, start)
            : null;
    }
}
