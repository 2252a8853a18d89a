using System.Globalization;
using Chaos.Harness.Checkers;
using Chaos.Harness.Deployment;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Network;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Runs;
using Chaos.Harness.Workload;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// WebSockets cut through the fault proxies in front of the gateways: every connection of a proxy reset in the middle
/// of a frame, single devices reset mid-frame, a reset_peer window, a gateway instance SIGKILLed and restarted, frames
/// sliced and delayed. Clients must reconnect and resume from their stored sequence: nothing lost, nothing handed to
/// the app twice. Devices persist their position every 4th frame (as apps batch the write), so every resume replays
/// frames the client already handled — the client's dedupe is exercised on every reconnect. Devices give up on a gap
/// the gateway does not fill within 3 s (a correct gateway fills it at once): a gateway that ignores where a device
/// was then shows as skipped and undelivered messages, not as a device that stalls and leaves the run undecided.
/// </summary>
internal sealed class WebSocketCutScenario : Scenario
{
    private const int SaveEvery = 4;
    private static readonly string[] Gateways = ["gateway-1", "gateway-2"];

    public override string Name => "websocket-cut";

    public override string Description =>
        "WebSockets reset mid-frame through the gateway proxies, connections reset, a gateway killed and restarted: clients reconnect and resume, nothing lost or duplicated.";

    public override TimeSpan DefaultDuration => TimeSpan.FromSeconds(30);

    public override CheckOptions CheckOptions => new()
    {
        // the longest cut is a gateway crash of up to 5 s; then all its devices reconnect at once and resume what they missed
        LatencySlos = [LatencyBudget.Steady, LatencyBudget.Fault(TimeSpan.FromSeconds(5), LatencyBudget.ReconnectAll)],
        // its load: chat sends to every user's devices (delivery, ordering), jobs and the final drain, judged against SLOs
        RequiredPromises = [.. PromiseNames.Delivery, PromiseNames.JobsExactlyOnce, PromiseNames.LatencySlo, PromiseNames.Availability],
    };

    /// <summary>Two instances of the role that serves devices — the reference system's gateways, or whatever a system
    /// names that role: one crashed, the other cut, each behind its own proxy.</summary>
    public override SystemRequirements ConfigureSystem(SystemRequirements requirements) => requirements with { DeviceInstances = Gateways.Length };

    public override ChatWorkloadOptions ConfigureWorkload(ChatWorkloadOptions options) =>
        options with { ProxyGateways = true, SequenceSaveEvery = SaveEvery, GapTimeout = TimeSpan.FromSeconds(3) };

    /// <summary>The menu on the reference system's gateways (<c>chaos list</c>); a run draws on its own device nodes (<see cref="CatalogueOn"/>).</summary>
    public override FaultMenu Faults { get; } = MenuOn(Gateways);

    public override FaultCatalogue CatalogueOn(SystemShape shape) => MenuOn(DeviceNodes(shape)).ToCatalogue();

    /// <summary>The scripted timeline on the deployment's device nodes (the gateways of the reference system).</summary>
    public override FaultSchedule BuildSchedule(long seed, TimeSpan duration, SystemShape shape) => Build(seed, duration, DeviceNodes(shape));

    public override FaultSchedule BuildSchedule(long seed, TimeSpan duration) => Build(seed, duration, Gateways);

    /// <summary>The nodes serving devices, by name: the proxies in front of them carry those names.</summary>
    private static string[] DeviceNodes(SystemShape shape) =>
        shape.NodesOf(shape.DeviceRole) is { Count: >= 2 } nodes
            ? [.. nodes]
            : throw new ArgumentException($"websocket-cut needs two instances of the device role {shape.DeviceRole}, the deployment has {shape.NodesOf(shape.DeviceRole).Count}", nameof(shape));

    private static FaultMenu MenuOn(string[] gateways) => new(
    [
        new FaultMenuItem(ProxyFaultFactory.ResetMidFrame, gateways, Parameters: Choices("bytes", "16", "64", "200", "400")),
        new FaultMenuItem(ProxyFaultFactory.DeviceResetMidFrame, gateways, Parameters: new Dictionary<string, IReadOnlyList<string>>
        {
            ["bytes"] = ["16", "64", "200"],
            ["device"] = [.. Enumerable.Range(1, DevicePick.Slots).Select(k => k.ToString(CultureInfo.InvariantCulture))],
        }),
        new FaultMenuItem(ProxyFaultFactory.ResetPeer, gateways, MinDuration: TimeSpan.FromSeconds(1), MaxDuration: TimeSpan.FromSeconds(2)),
        new FaultMenuItem(ProxyFaultFactory.Down, gateways, MinDuration: TimeSpan.FromSeconds(1), MaxDuration: TimeSpan.FromSeconds(2)),
        new FaultMenuItem(ProxyFaultFactory.Crash, gateways, MinDuration: TimeSpan.FromSeconds(2), MaxDuration: TimeSpan.FromSeconds(5)),
        new FaultMenuItem(ProxyFaultFactory.Slicer, gateways, MinDuration: TimeSpan.FromSeconds(1), MaxDuration: TimeSpan.FromSeconds(4)),
        new FaultMenuItem(ProxyFaultFactory.Latency, gateways, MinDuration: TimeSpan.FromSeconds(1), MaxDuration: TimeSpan.FromSeconds(4), Parameters: Choices("latency", "100", "300")),
    ]);

    /// <summary>
    /// A scripted timeline so every run holds each kind of cut and one gateway crash; the seed picks the gateways,
    /// devices, byte counts and times within each slot. Same seed, same schedule.
    /// </summary>
    private FaultSchedule Build(long seed, TimeSpan duration, string[] gateways)
    {
        var rng = new Random(unchecked((int)(seed * 31 + 7)));
        var d = duration.TotalSeconds;
        var crashed = gateways[rng.Next(gateways.Length)];
        var other = gateways.First(g => g != crashed);
        var devices = DevicePick.Shuffled(rng);
        TimeSpan At(double fraction) => TimeSpan.FromMilliseconds(Math.Round((fraction + (rng.NextDouble() * 0.04)) * d * 1000));
        string Bytes() => new[] { "16", "64", "200", "400" }[rng.Next(4)];
        var crashFor = TimeSpan.FromSeconds(Math.Clamp(Math.Round(d * 0.15), 2, 5));
        var shortFor = TimeSpan.FromSeconds(Math.Clamp(Math.Round(d * 0.1), 1, 4));
        List<FaultScheduleEntry> entries =
        [
            new(At(0.05), ProxyFaultFactory.ResetMidFrame, other, null, P("bytes", Bytes())),
            new(At(0.15), ProxyFaultFactory.DeviceResetMidFrame, crashed, null, P("bytes", Bytes(), "device", Slot(devices[0]))),
            new(At(0.2), ProxyFaultFactory.DeviceResetMidFrame, other, null, P("bytes", Bytes(), "device", Slot(devices[1]))),
            new(At(0.3), ProxyFaultFactory.Crash, crashed, crashFor),
            new(At(0.45), ProxyFaultFactory.Down, other, TimeSpan.FromSeconds(1)),
            new(At(0.55), ProxyFaultFactory.ResetPeer, other, TimeSpan.FromSeconds(1)),
            new(At(0.65), ProxyFaultFactory.Slicer, crashed, shortFor),
            new(At(0.65), "latency", other, shortFor, P("latency", rng.Next(2) == 0 ? "100" : "300")),
            new(At(0.8), ProxyFaultFactory.ResetMidFrame, crashed, null, P("bytes", Bytes())),
        ];
        return new FaultSchedule([.. entries.OrderBy(e => e.At)], duration) { Scenario = Name, Seed = seed };
    }

    public override IFault CreateFault(FaultScheduleEntry entry, RunContext context) =>
        ProxyFaultFactory.Create(entry, context) ?? base.CreateFault(entry, context);

    public override async Task RunFaultPhaseAsync(RunContext context, TimeSpan duration, CancellationToken cancellationToken)
    {
        await base.RunFaultPhaseAsync(context, duration, cancellationToken);

        // Everything is healed; give the clients a bounded while to be back before the evidence is judged.
        await FaultEvidence.WaitForDevicesAsync(context, cancellationToken);
    }

    protected override string? FaultsTookEffect(RunContext context)
    {
        var evidence = RunEvidence.For(context);
        var proxies = context.Proxies!;
        var problems = new List<string>();

        var cuts = evidence.Of<ConnectionCutFault>();
        if (cuts.Count > 0 && cuts.All(c => c.CutConnections.Count == 0))
        {
            problems.Add("no proxy-wide mid-frame reset cut any connection");
        }

        var hit = new HashSet<string>(StringComparer.Ordinal);
        foreach (var cut in cuts.Where(c => c.CutConnections.Count > 0))
        {
            hit.Add(cut.Target);
        }

        foreach (var crash in evidence.Of<GatewayCrashFault>().Where(c => c.HitIncarnation is not null))
        {
            if (!crash.Died)
            {
                problems.Add($"{crash.Target}: incarnation {crash.HitIncarnation} did not exit when it was SIGKILLed");
            }
            else if (!crash.CameBack)
            {
                problems.Add($"{crash.Target} was not restarted after its crash");
            }

            hit.Add(crash.Target);
        }

        if (hit.Count == 0)
        {
            problems.Add("neither a proxy-wide cut nor a gateway crash took hold");
        }

        // Every device behind a cut or crashed gateway lost its connection: it must have reconnected (and resumed) by itself.
        var stuck = context.Workload.Devices.Where(d => hit.Contains(proxies.NameFor(d.Hub)) && d.Reconnects == 0).Select(d => d.Process).ToList();
        if (stuck.Count > 0)
        {
            problems.Add($"{stuck.Count} device(s) behind a cut or crashed gateway never reconnected ({string.Join(", ", stuck.Take(5))})");
        }

        var deviceCuts = evidence.Of<DeviceCutFault>().Where(c => c.CutConnection is not null).ToList();
        if (deviceCuts.Count == 0)
        {
            problems.Add("no single-device mid-frame reset found its device's connection");
        }

        var down = FaultEvidence.Disconnected(context);
        if (down.Count > 0)
        {
            problems.Add($"{down.Count} device(s) were not connected again after the fault phase ({string.Join(", ", down.Take(5))})");
        }

        return FaultEvidence.Sentence(problems);
    }

    private static Dictionary<string, IReadOnlyList<string>> Choices(string name, params string[] values) => new() { [name] = values };

    private static Dictionary<string, string> P(params string[] pairs) =>
        Enumerable.Range(0, pairs.Length / 2).ToDictionary(i => pairs[2 * i], i => pairs[(2 * i) + 1], StringComparer.Ordinal);

    private static string Slot(int k) => k.ToString(CultureInfo.InvariantCulture);
}
