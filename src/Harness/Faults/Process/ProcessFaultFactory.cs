using System.Globalization;
using Chaos.Harness.Faults.Failpoints;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Process;

/// <summary>Turns schedule entries naming a process or failpoint fault (<see cref="ProcessFaultNames"/>) into faults on topology nodes.</summary>
public static class ProcessFaultFactory
{
    /// <summary>True when <paramref name="fault"/> is one of the names this factory creates.</summary>
    public static bool Handles(string fault) => ProcessFaultNames.All.Contains(fault, StringComparer.Ordinal);

    /// <summary>
    /// Creates the fault for <paramref name="entry"/> on the node named by its target. Throws an
    /// <see cref="ArgumentException"/> naming the field when the fault, target or a parameter is not valid.
    /// </summary>
    public static IFault Create(FaultScheduleEntry entry, Func<string, ITopologyNode?> findNode)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(findNode);
        Validate(entry);
        var node = findNode(entry.Target) ?? throw new ArgumentException($"target: no node named '{entry.Target}' in this run", nameof(entry));
        return entry.Fault switch
        {
            ProcessFaultNames.Kill => new ProcessKillFault(node),
            ProcessFaultNames.Terminate => new ProcessTerminateFault(node),
            ProcessFaultNames.Pause => new ProcessPauseFault(node),
            ProcessFaultNames.Restart => new ProcessRestartFault(node),
            ProcessFaultNames.Starve => StarveFor(entry, node),
            _ => new FailpointFault(node, FailpointSettings.FromParameters(entry.Parameters)),
        };
    }

    /// <summary>Checks an entry before a run starts (no nodes needed): the fault name and the parameters it takes.</summary>
    public static void Validate(FaultScheduleEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!Handles(entry.Fault))
        {
            throw new ArgumentException($"fault: '{entry.Fault}' is not a process fault (known: {string.Join(", ", ProcessFaultNames.All)})", nameof(entry));
        }

        if (entry.Fault == ProcessFaultNames.Failpoint)
        {
            FailpointSettings.FromParameters(entry.Parameters);
        }
        else if (entry.Fault == ProcessFaultNames.Starve)
        {
            StarveParameters(entry);
        }
        else if (entry.Parameters.Count > 0)
        {
            throw new ArgumentException($"parameters.{entry.Parameters.Keys.First()}: {entry.Fault} takes no parameters", nameof(entry));
        }
    }

    private static ProcessStarveFault StarveFor(FaultScheduleEntry entry, ITopologyNode node)
    {
        var (share, period) = StarveParameters(entry);
        return new ProcessStarveFault(node, share, period);
    }

    /// <summary>
    /// process-starve's parameters: <c>share</c>, the CPU share left to the node (a fraction like 0.2 or a percentage
    /// like 20%; default 20%), and <c>period</c>, one stop-and-run cycle (a duration; default 100ms).
    /// </summary>
    internal static (double Share, TimeSpan Period) StarveParameters(FaultScheduleEntry entry)
    {
        string[] known = ["share", "period"];
        if (entry.Parameters.Keys.FirstOrDefault(k => !known.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            throw new ArgumentException($"parameters.{unknown}: unknown process-starve parameter (known: {string.Join(", ", known)})", nameof(entry));
        }

        var share = 0.2;
        if (entry.Parameters.TryGetValue("share", out var shareText))
        {
            var percent = shareText.EndsWith('%');
            if (!double.TryParse(percent ? shareText[..^1] : shareText, NumberStyles.Float, CultureInfo.InvariantCulture, out share)
                || !double.IsFinite(share))
            {
                throw new ArgumentException($"parameters.share: '{shareText}' is not a fraction (0.2) or a percentage (20%)", nameof(entry));
            }

            share = percent ? share / 100 : share;
            if (share is < ProcessStarveFault.MinShare or > ProcessStarveFault.MaxShare)
            {
                throw new ArgumentException($"parameters.share: '{shareText}' must be within {ProcessStarveFault.MinShare * 100:0}%..{ProcessStarveFault.MaxShare * 100:0}% (the node's share of CPU time; to stop it entirely use process-pause)", nameof(entry));
            }
        }

        var period = TimeSpan.FromMilliseconds(100);
        if (entry.Parameters.TryGetValue("period", out var periodText))
        {
            if (!DurationText.TryParse(periodText, out period, out var error))
            {
                throw new ArgumentException($"parameters.period: {error}", nameof(entry));
            }

            if (period < ProcessStarveFault.MinPeriod || period > ProcessStarveFault.MaxPeriod)
            {
                throw new ArgumentException($"parameters.period: '{periodText}' must be within {ProcessStarveFault.MinPeriod.TotalMilliseconds:0}ms..{ProcessStarveFault.MaxPeriod.TotalSeconds:0}s", nameof(entry));
            }
        }

        return (share, period);
    }
}
