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
        else if (entry.Parameters.Count > 0)
        {
            throw new ArgumentException($"parameters.{entry.Parameters.Keys.First()}: {entry.Fault} takes no parameters", nameof(entry));
        }
    }
}
