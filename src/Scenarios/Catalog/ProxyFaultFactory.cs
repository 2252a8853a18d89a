using System.Diagnostics;
using System.Globalization;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Network;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Runs;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// Turns a schedule entry naming a gateway-proxy fault into the fault, against the run's fault proxies — the one mapping
/// websocket-cut, random-mix and incident files share. Each fault is registered in the run's <see cref="RunEvidence"/>.
/// Names, targets and parameters: docs/faults.md, "Network faults".
/// </summary>
internal static class ProxyFaultFactory
{
    public const string ResetMidFrame = "reset-mid-frame";
    public const string DeviceResetMidFrame = "device-reset-mid-frame";
    public const string ResetPeer = "reset-peer";
    public const string Down = "down";
    public const string Crash = "crash";
    public const string Slicer = "slicer";
    public const string Latency = "latency";

    /// <summary>The fault for <paramref name="entry"/>, or null when it names no proxy fault.</summary>
    public static IFault? Create(FaultScheduleEntry entry, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(context);
        if (entry.Fault is not (ResetMidFrame or DeviceResetMidFrame or ResetPeer or Down or Crash or Slicer or Latency))
        {
            return null;
        }

        var proxies = context.Proxies ?? throw new InvalidOperationException($"{entry.Fault} needs the gateway proxies");
        var client = proxies.Client;
        if (!proxies.Names.Contains(entry.Target))
        {
            throw new ArgumentException($"fault '{entry.Fault}' at {entry.At}: no gateway proxy '{entry.Target}' (have {string.Join(", ", proxies.Names)})");
        }

        var evidence = RunEvidence.For(context);
        long Param(string name, long fallback) =>
            entry.Parameters.TryGetValue(name, out var v) && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : fallback;
        return entry.Fault switch
        {
            ResetMidFrame => evidence.Add(new ConnectionCutFault(client, entry.Target, ConnectionCut.ResetAfter(Param("bytes", 64)))),
            DeviceResetMidFrame => evidence.Add(new DeviceCutFault(
                client,
                entry.Target,
                DevicePick.Resolve(entry, [.. context.Workload.Devices.Where(dev => proxies.NameFor(dev.Hub) == entry.Target)]),
                ConnectionCut.ResetAfter(Param("bytes", 64)))),
            ResetPeer => evidence.Add(new ToxicFault(client, entry.Target, Toxic.ResetPeer())),
            Down => evidence.Add(new ProxyDownFault(client, entry.Target)),
            Crash => evidence.Add(new GatewayCrashFault(context.System.Gateways.First(g => g.Name == entry.Target))),
            Slicer => evidence.Add(new ToxicFault(client, entry.Target, Toxic.Slicer(averageSize: 7, sizeVariation: 5, delayMicroseconds: 500))),
            Latency => evidence.Add(new ToxicFault(client, entry.Target, Toxic.Latency(Param("latency", 100), jitterMs: 50))),
            _ => throw new UnreachableException(entry.Fault),
        };
    }
}
