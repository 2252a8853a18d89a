using System.Diagnostics;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Client;
using Chaos.Harness.Faults.Kinds;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Runs;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// Turns a schedule entry naming a device fault (a phone asleep, its network switched, its app killed, its reads stalled) into the fault,
/// against a device of the run picked by <see cref="DevicePick"/> — the one mapping mobile-sleep-wake, random-mix and
/// incident files share. Each fault is registered in the run's <see cref="RunEvidence"/>. docs/faults.md, "Client faults".
/// </summary>
internal static class DeviceFaultFactory
{
    public const string Sleep = "sleep";
    public const string NetworkSwitch = "network-switch";
    public const string AppKill = "app-kill";
    public const string ReadStall = "read-stall";

    /// <summary>The fault for <paramref name="entry"/>, or null when it names no device fault.</summary>
    public static IFault? Create(FaultScheduleEntry entry, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(context);
        if (!Kinds.Any(k => k.Name == entry.Fault))
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
            ReadStall => evidence.Add(new ReadStallFault(device, context.Proxies?.Client, context.Proxies?.NameFor(device.Hub), context.TimeProvider)),
            _ => throw new UnreachableException(entry.Fault),
        };
    }

    private static readonly string Devices = $"a device slot: device#1..device#{DevicePick.Slots} (the k-th of the run's devices, modulo their number)";

    /// <summary>
    /// <c>device</c>: the device slot, when the target does not name one (<see cref="DevicePick"/>); shared with the
    /// proxy fault that cuts one device.
    /// </summary>
    internal static readonly FaultParameter Device =
        FaultParameter.Integer("device", null, 1, 1_000_000, "the device slot k (the k-th of the devices, modulo their number), when the target names none");

    /// <summary>The device kinds, each declared once (docs/faults.md, "Client faults").</summary>
    public static IReadOnlyList<FaultKind> Kinds { get; } =
    [
        new(Sleep, "device", Devices, "the app is suspended (no reads, writes, pings or reconnects) and wakes at the heal", [Device]),
        new(NetworkSwitch, "device", Devices, "the device's connection is blackholed at its proxy and the client moves to a new address", [Device]),
        new(AppKill, "device", Devices, "the socket is cut and the client disposed; a new client resumes from the persisted sequence at the heal", [Device]),
        new(ReadStall, "device", Devices, "the device stops reading: its proxy takes nothing more from the gateway for it (a stall toxic: the bytes wait, the TCP window closes) until the heal; past the client's 8 s server timeout the client reconnects", [Device]),
    ];
}
