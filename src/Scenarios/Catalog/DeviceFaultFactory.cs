using System.Diagnostics;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Client;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Runs;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// Turns a schedule entry naming a device fault (a phone asleep, its network switched, its app killed) into the fault,
/// against a device of the run picked by <see cref="DevicePick"/> — the one mapping mobile-sleep-wake, random-mix and
/// incident files share. Each fault is registered in the run's <see cref="RunEvidence"/>. docs/faults.md, "Client faults".
/// </summary>
internal static class DeviceFaultFactory
{
    public const string Sleep = "sleep";
    public const string NetworkSwitch = "network-switch";
    public const string AppKill = "app-kill";

    /// <summary>The fault for <paramref name="entry"/>, or null when it names no device fault.</summary>
    public static IFault? Create(FaultScheduleEntry entry, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(context);
        if (entry.Fault is not (Sleep or NetworkSwitch or AppKill))
        {
            return null;
        }

        var device = DevicePick.Resolve(entry, context.Workload.Devices);
        var evidence = RunEvidence.For(context);
        return entry.Fault switch
        {
            Sleep => evidence.Add(new DeviceSleepFault(device)),
            NetworkSwitch => evidence.Add(new NetworkSwitchFault(device, context.Proxies?.Client, context.Proxies?.NameFor(device.Hub))),
            AppKill => evidence.Add(new AppKillFault(device)),
            _ => throw new UnreachableException(entry.Fault),
        };
    }
}
