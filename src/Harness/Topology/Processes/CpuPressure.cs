using System.Globalization;

namespace Chaos.Harness.Topology.Processes;

/// <summary>
/// How crowded the machine's CPUs were over a window: the share of wall time in which at least one runnable task waited
/// for a CPU, from the kernel's pressure stall information (<c>/proc/pressure/cpu</c>, the <c>some</c> line's
/// <c>total</c> in microseconds; Linux 4.20+, docs/load.md "How crowded the machine was"). It counts every task on the
/// machine — the run's own processes and anything else — so it says whether a latency breach came with a machine out of
/// CPU, not who took it. A run reports it beside its latency; it never changes a verdict.
/// </summary>
public sealed class CpuPressure
{
    /// <summary>Where the kernel publishes CPU pressure.</summary>
    public const string DefaultPath = "/proc/pressure/cpu";

    private readonly string _path;
    private readonly long _startTotal;
    private readonly long _startTimestamp;
    private readonly TimeProvider _time;

    private CpuPressure(string path, long total, TimeProvider time)
    {
        _path = path;
        _startTotal = total;
        _time = time;
        _startTimestamp = time.GetTimestamp();
    }

    /// <summary>Starts a window now; null where the kernel publishes no CPU pressure (not Linux, PSI off).</summary>
    public static CpuPressure? Start(TimeProvider? time = null, string path = DefaultPath) =>
        ReadSomeTotal(path) is { } total ? new CpuPressure(path, total, time ?? TimeProvider.System) : null;

    /// <summary>The share (0–1) of the window so far in which some task waited for a CPU; null when it cannot be read.</summary>
    public double? Share()
    {
        var elapsed = _time.GetElapsedTime(_startTimestamp);
        if (ReadSomeTotal(_path) is not { } total || elapsed <= TimeSpan.Zero)
        {
            return null;
        }

        return Math.Clamp((total - _startTotal) / elapsed.TotalMicroseconds, 0, 1);
    }

    /// <summary>The <c>some … total=N</c> field of a pressure file; null when absent or malformed.</summary>
    internal static long? ReadSomeTotal(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return ParseSomeTotal(text);
    }

    /// <summary>Parses the <c>some</c> line of a pressure file's text (proc(5), "/proc/pressure").</summary>
    internal static long? ParseSomeTotal(string text)
    {
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith("some ", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var field in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (field.StartsWith("total=", StringComparison.Ordinal) &&
                    long.TryParse(field.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out var total))
                {
                    return total;
                }
            }
        }

        return null;
    }
}
