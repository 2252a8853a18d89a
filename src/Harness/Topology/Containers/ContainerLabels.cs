using System.Globalization;
using Chaos.Harness.Topology.Processes;

namespace Chaos.Harness.Topology.Containers;

/// <summary>
/// The labels every container of a run carries: they find a run's containers for cleanup, and tell the reaper whether
/// the harness that started a container still lives (boot id, pid and start time, as the process reaper uses).
/// </summary>
internal static class ContainerLabels
{
    /// <summary>Present on every container of the containers topology.</summary>
    public const string Topology = "org.chaos.topology";

    /// <summary>The run id (one per topology).</summary>
    public const string Run = "org.chaos.run";

    public const string Node = "org.chaos.node";

    public const string Incarnation = "org.chaos.incarnation";

    /// <summary>The run folder (for people looking at <c>docker ps</c>).</summary>
    public const string RunDirectory = "org.chaos.run-dir";

    /// <summary>"bootid pid starttime" of the harness process.</summary>
    public const string Harness = "org.chaos.harness";

    /// <summary>This process as the reaper identifies it.</summary>
    public static string ThisHarness { get; } = Describe(Environment.ProcessId);

    public static string Describe(int pid)
    {
        var start = ProcFs.TryReadStat(pid, out var stat) ? stat.StartTime : 0;
        return string.Create(CultureInfo.InvariantCulture, $"{ProcFs.BootId()} {pid} {start}");
    }

    /// <summary>True when the harness described by <paramref name="label"/> is this boot's live process with that pid and start time.</summary>
    public static bool HarnessIsAlive(string? label)
    {
        var parts = (label ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 3
            && parts[0] == ProcFs.BootId()
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            && ProcFs.IsSameLiveProcess(pid, start);
    }
}
