using System.Globalization;

namespace Chaos.Harness.Topology.Processes;

/// <summary>Reads Linux /proc: process identity (start time), process trees and groups.</summary>
internal static class ProcFs
{
    public static bool IsAvailable { get; } = File.Exists("/proc/self/stat");

    public static bool TryReadStat(int pid, out ProcStat stat)
    {
        stat = default;
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }

        // "pid (comm) S ppid pgrp ..." — comm may contain spaces and parentheses, so split after the last ')'.
        var close = text.LastIndexOf(')');
        if (close < 0)
        {
            return false;
        }

        var fields = text[(close + 2)..].Split(' ');
        if (fields.Length < 20)
        {
            return false;
        }

        // fields[0] is field 3 (state); starttime is field 22.
        stat = new ProcStat(
            pid,
            fields[0][0],
            int.Parse(fields[1], CultureInfo.InvariantCulture),
            int.Parse(fields[2], CultureInfo.InvariantCulture),
            long.Parse(fields[19], CultureInfo.InvariantCulture));
        return true;
    }

    /// <summary>True when <paramref name="pid"/> is alive (not a zombie) and started at <paramref name="startTime"/>.</summary>
    public static bool IsSameLiveProcess(int pid, long startTime) =>
        TryReadStat(pid, out var stat) && stat.StartTime == startTime && !stat.IsZombie;

    /// <summary>True when the environment <paramref name="pid"/> started with holds exactly <paramref name="entry"/>
    /// (<c>NAME=value</c>); false when it does not or cannot be read (another user's process).</summary>
    public static bool HasEnvironmentEntry(int pid, string entry)
    {
        byte[] environ;
        try
        {
            environ = File.ReadAllBytes($"/proc/{pid}/environ");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        var wanted = System.Text.Encoding.UTF8.GetBytes(entry);
        foreach (var range in environ.AsSpan().Split((byte)0))
        {
            if (environ.AsSpan()[range].SequenceEqual(wanted))
            {
                return true;
            }
        }

        return false;
    }

    public static string BootId()
    {
        try
        {
            return File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    public static IReadOnlyList<ProcStat> All()
    {
        var result = new List<ProcStat>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && TryReadStat(pid, out var stat))
            {
                result.Add(stat);
            }
        }

        return result;
    }

    /// <summary>Every live descendant of <paramref name="root"/> (children, grandchildren, ...), from one snapshot.</summary>
    public static IReadOnlyList<int> Descendants(int root)
    {
        var all = All();
        var byParent = all.ToLookup(s => s.ParentPid, s => s.Pid);
        var result = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.Count > 0)
        {
            foreach (var child in byParent[queue.Dequeue()])
            {
                if (child != root && !result.Contains(child))
                {
                    result.Add(child);
                    queue.Enqueue(child);
                }
            }
        }

        return result;
    }

    /// <summary>Every live member of process group <paramref name="group"/>.</summary>
    public static IReadOnlyList<int> GroupMembers(int group) =>
        [.. All().Where(s => s.ProcessGroup == group && !s.IsZombie).Select(s => s.Pid)];
}
