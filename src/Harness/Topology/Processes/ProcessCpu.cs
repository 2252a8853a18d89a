using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Chaos.Harness.Topology.Processes;

/// <summary>One process's CPU time (user + system) at an instant, and the name it is reported under.</summary>
/// <param name="Pid">Process id.</param>
/// <param name="StartTime">Start time in clock ticks since boot: a pid reused between two snapshots is another process.</param>
/// <param name="Name">The harness (<c>harness</c>), its guard (<c>guard</c>), the embedded Kafka host (<c>kafka</c>), a
/// reference-system instance (<c>api-1</c>, <c>gateway-2</c>, …) or the process's command name.</param>
/// <param name="Ticks">utime + stime, clock ticks.</param>
public readonly record struct ProcessCpuTime(int Pid, long StartTime, string Name, long Ticks);

/// <summary>A process's CPU use over a window, as a percentage of one core (200 % is both cores of a 2-core machine).</summary>
public readonly record struct ProcessCpuShare(string Name, double Percent);

/// <summary>
/// The CPU time of this process and every process it started (the processes topology's nodes, the embedded Kafka
/// host, their children), read from /proc/&lt;pid&gt;/stat (fields 14 and 15: utime, stime; proc(5)). What
/// <c>chaos capacity</c> reports per process (docs/load.md, "Capacity"). Linux only: elsewhere a snapshot is empty.
/// Containers run under the container engine, not under the harness, so a containers deployment shows the harness only.
/// </summary>
public static partial class ProcessCpu
{
    private const int ScClkTck = 2;

    /// <summary>Clock ticks per second (sysconf(_SC_CLK_TCK)); 100 when it cannot be read.</summary>
    public static long TicksPerSecond { get; } = ReadTicksPerSecond();

    /// <summary>The CPU time of this process and of every live descendant, now.</summary>
    public static IReadOnlyList<ProcessCpuTime> Snapshot()
    {
        if (!ProcFs.IsAvailable)
        {
            return [];
        }

        var self = Environment.ProcessId;
        var result = new List<ProcessCpuTime>();
        foreach (var pid in ProcFs.Descendants(self).Prepend(self))
        {
            if (TryRead(pid, out var start, out var ticks))
            {
                result.Add(new ProcessCpuTime(pid, start, pid == self ? "harness" : NameOf(pid), ticks));
            }
        }

        return result;
    }

    /// <summary>The CPU time (user + system) process <paramref name="pid"/> has used so far, or null when it cannot be read.</summary>
    public static TimeSpan? Of(int pid) =>
        TryRead(pid, out _, out var ticks) ? TimeSpan.FromSeconds((double)ticks / TicksPerSecond) : null;

    /// <summary>
    /// Each process's share of one core between two snapshots <paramref name="elapsed"/> apart, busiest first.
    /// Only processes in both snapshots (same pid and start time) count: one that started or ended inside the window
    /// has no whole window to be measured over.
    /// </summary>
    public static IReadOnlyList<ProcessCpuShare> Between(IReadOnlyList<ProcessCpuTime> before, IReadOnlyList<ProcessCpuTime> after, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        if (elapsed <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(elapsed), elapsed, "a CPU window must be longer than zero");
        }

        var first = before.ToDictionary(p => (p.Pid, p.StartTime));
        var shares = new List<ProcessCpuShare>();
        foreach (var p in after)
        {
            if (first.TryGetValue((p.Pid, p.StartTime), out var b))
            {
                var seconds = (double)(p.Ticks - b.Ticks) / TicksPerSecond;
                shares.Add(new ProcessCpuShare(p.Name, Math.Max(0, seconds) * 100 / elapsed.TotalSeconds));
            }
        }

        return [.. shares.OrderByDescending(s => s.Percent).ThenBy(s => s.Name, StringComparer.Ordinal)];
    }

    /// <summary>Measures the shares over <paramref name="window"/> (waits that long).</summary>
    public static async Task<IReadOnlyList<ProcessCpuShare>> MeasureAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var before = Snapshot();
        await Task.Delay(window, cancellationToken);
        var after = Snapshot();
        return Between(before, after, clock.Elapsed);
    }

    private static bool TryRead(int pid, out long startTime, out long ticks)
    {
        startTime = 0;
        ticks = 0;
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        // "pid (comm) S ppid ..." — comm may hold spaces and parentheses: the fields start after the last ')'.
        var close = text.LastIndexOf(')');
        var fields = close < 0 ? [] : text[(close + 2)..].Split(' ');
        // fields[0] is field 3 (state): utime is field 14, stime 15, starttime 22
        return fields.Length >= 20
            && long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
            && long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system)
            && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out startTime)
            && (ticks = user + system) >= 0;
    }

    private static string NameOf(int pid)
    {
        string[] args;
        try
        {
            args = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"pid {pid}";
        }

        var instance = Array.IndexOf(args, "--instance");
        if (instance >= 0 && instance + 1 < args.Length)
        {
            return args[instance + 1];
        }

        // the harness's guard is `sh -c <script> chaos-guard <pid> <start>` (HarnessGuard): its cost is the harness's
        if (args.Length > 3 && args.Contains("chaos-guard", StringComparer.Ordinal))
        {
            return "guard";
        }

        // the embedded Kafka host is `chaos kafka …` (apphost or `dotnet chaos.dll kafka …`)
        if (args.Take(3).Any(a => a == "kafka"))
        {
            return "kafka";
        }

        return args.Length > 0 ? Path.GetFileName(args[0]) : $"pid {pid}";
    }

    private static long ReadTicksPerSecond()
    {
        try
        {
            var value = OperatingSystem.IsLinux() ? Sysconf(ScClkTck) : -1;
            return value > 0 ? value : 100;
        }
        catch (DllNotFoundException)
        {
            return 100;
        }
    }

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long Sysconf(int name);
}
