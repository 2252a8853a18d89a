using System.Diagnostics;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Kinds;
using Chaos.Harness.Faults.Network;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Proxy;
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
        if (!Kinds.Any(k => k.Name == entry.Fault))
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
        var kind = Kinds.First(k => k.Name == entry.Fault);
        long Param(string name) => kind.Integer(entry, name)!.Value;
        return entry.Fault switch
        {
            ResetMidFrame => evidence.Add(new ConnectionCutFault(client, entry.Target, ConnectionCut.ResetAfter(Param("bytes")))),
            DeviceResetMidFrame => evidence.Add(new DeviceCutFault(
                client,
                entry.Target,
                DevicePick.Resolve(entry, [.. context.Workload.Devices.Where(dev => proxies.NameFor(dev.Hub) == entry.Target)]),
                ConnectionCut.ResetAfter(Param("bytes")))),
            ResetPeer => evidence.Add(new ToxicFault(client, entry.Target, Toxic.ResetPeer())),
            Down => evidence.Add(new ProxyDownFault(client, entry.Target)),
            Crash => evidence.Add(new GatewayCrashFault(context.System.Nodes.First(g => g.Role == context.System.DeviceRole && g.Name == entry.Target))),
            Slicer => evidence.Add(new ToxicFault(client, entry.Target, Toxic.Slicer(averageSize: 7, sizeVariation: 5, delayMicroseconds: 500))),
            Latency => evidence.Add(new ToxicFault(client, entry.Target, Toxic.Latency(Param("latency"), jitterMs: 50))),
            _ => throw new UnreachableException(entry.Fault),
        };
    }

    private const string Proxy = "a gateway proxy: gateway-1, gateway-2, …";

    private static readonly FaultParameter Bytes =
        FaultParameter.Integer("bytes", 64, 0, 1 << 20, "how many more bytes reach the client before the reset (so it lands inside a frame)");

    /// <summary>The gateway-proxy kinds, each declared once (docs/faults.md, "Network faults").</summary>
    public static IReadOnlyList<FaultKind> Kinds { get; } =
    [
        new(ResetMidFrame, "proxy", Proxy, "every connection through the proxy is reset after a few more bytes reach its client", [Bytes]),
        new(DeviceResetMidFrame, "proxy", Proxy, "one device's connection through the proxy is reset after a few more bytes reach it",
            // the target names the proxy, so the device can only come from the parameter (DevicePick)
            [Bytes, DeviceFaultFactory.Device.AsRequired()]),
        new(ResetPeer, "proxy", Proxy, "a reset_peer toxic on every connection of the proxy until the heal"),
        new(Down, "proxy", Proxy, "the proxy is disabled (connections closed, connects refused) until the heal"),
        new(Crash, "proxy", Proxy, "the gateway behind the proxy is SIGKILLed, and restarted on its port at the heal"),
        new(Slicer, "proxy", Proxy, "a slicer toxic: the stream reaches clients in small pieces, split inside frames, until the heal"),
        new(Latency, "proxy", Proxy, "a latency toxic (±50 ms jitter) on every connection of the proxy until the heal",
            [FaultParameter.Integer("latency", 100, 0, 60_000, "the added latency, in milliseconds")]),
    ];
}
