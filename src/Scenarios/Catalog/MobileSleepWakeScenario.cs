using Chaos.Harness.Checkers;
using Chaos.Harness.Deployment;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Client;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Runs;
using Chaos.Harness.Workload;
using Chaos.Reference.Adapter;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// Mobile devices: apps suspended for longer than the gateway's client timeout (the server must drop them) and woken,
/// networks switched (the old connection goes silent, a new one is made), apps killed and restarted from the sequence
/// they persisted, a device that stops reading (its proxy takes nothing more from the gateway; the client gives up on
/// the silent connection). Every device must end with everything it missed, in order, each id once.
/// </summary>
internal sealed class MobileSleepWakeScenario : Scenario
{
    /// <summary>The gateway drops a device silent this long; sleeps last well beyond it.</summary>
    private const int ClientTimeoutMs = 4000;

    private const string TimeoutsCounter = "refsys.gateway.client_timeouts";

    public override string Name => "mobile-sleep-wake";

    public override string Description =>
        "Devices sleep past the gateway's client timeout and wake, switch networks, have their app killed and restarted, and stop reading: each resumes from its stored sequence, nothing lost or duplicated.";

    public override TimeSpan DefaultDuration => TimeSpan.FromSeconds(30);

    public override CheckOptions CheckOptions => new()
    {
        // Faults delay deliveries by seconds on purpose (that is judged by the loss and order promises); the SLO is on
        // the warm-up, loose enough for the embedded broker's consumer group, which may still rebalance in its first seconds.
        // a sleeping phone receives nothing until it wakes (at most 9 s) and reconnects
        LatencySlos = [LatencyBudget.Steady, LatencyBudget.Fault(TimeSpan.FromSeconds(9), LatencyBudget.Reconnect)],
        // its load: chat sends to every user's devices (delivery, ordering), jobs and the final drain, judged against SLOs
        RequiredPromises = [.. PromiseNames.Delivery, PromiseNames.JobsExactlyOnce, PromiseNames.LatencySlo, PromiseNames.Availability],
    };

    public override SystemRequirements ConfigureSystem(SystemRequirements requirements) => requirements with { DeviceIdleTimeout = TimeSpan.FromMilliseconds(ClientTimeoutMs) };

    // Proxies let a network switch leave the old connection silent rather than closed; apps persist their sequence to files.
    public override ChatWorkloadOptions ConfigureWorkload(ChatWorkloadOptions options) => options with { ProxyGateways = true, PersistSequences = true };

    public override FaultMenu Faults { get; } = new(
    [
        new FaultMenuItem(DeviceFaultFactory.Sleep, DevicePick.Targets, MinDuration: TimeSpan.FromSeconds(6), MaxDuration: TimeSpan.FromSeconds(9)),
        new FaultMenuItem(DeviceFaultFactory.NetworkSwitch, DevicePick.Targets, MinDuration: TimeSpan.FromSeconds(1), MaxDuration: TimeSpan.FromSeconds(3)),
        new FaultMenuItem(DeviceFaultFactory.AppKill, DevicePick.Targets, MinDuration: TimeSpan.FromSeconds(1), MaxDuration: TimeSpan.FromSeconds(4)),
        new FaultMenuItem(DeviceFaultFactory.ReadStall, DevicePick.Targets, MinDuration: TimeSpan.FromSeconds(9), MaxDuration: TimeSpan.FromSeconds(11)),
    ]);

    /// <summary>
    /// Scripted so every run holds sleeps, switches and kills on distinct devices; the seed picks devices, times and
    /// lengths. A sleep is only planned where it can outlast the client timeout before the phase ends.
    /// </summary>
    public override FaultSchedule BuildSchedule(long seed, TimeSpan duration)
    {
        var rng = new Random(unchecked((int)(seed * 17 + 3)));
        var d = duration.TotalSeconds;
        var devices = DevicePick.Shuffled(rng);
        var next = 0;
        string Device() => DevicePick.Target(devices[next++ % devices.Length]);
        TimeSpan At(double fraction) => TimeSpan.FromMilliseconds(Math.Round((fraction + (rng.NextDouble() * 0.04)) * d * 1000));
        var entries = new List<FaultScheduleEntry>();
        void Sleep(double fraction)
        {
            var at = At(fraction);
            var length = TimeSpan.FromMilliseconds(ClientTimeoutMs + 2000 + rng.Next(0, 2000));
            if (at + length <= duration - TimeSpan.FromMilliseconds(500))
            {
                entries.Add(new FaultScheduleEntry(at, DeviceFaultFactory.Sleep, Device(), length));
            }
        }

        Sleep(0.02);
        Sleep(0.08);
        entries.Add(new FaultScheduleEntry(At(0.2), DeviceFaultFactory.NetworkSwitch, Device(), TimeSpan.FromSeconds(2)));
        entries.Add(new FaultScheduleEntry(At(0.3), DeviceFaultFactory.AppKill, Device(), TimeSpan.FromMilliseconds(1000 + rng.Next(0, 2000))));
        Sleep(0.45);
        entries.Add(new FaultScheduleEntry(At(0.55), DeviceFaultFactory.NetworkSwitch, Device(), TimeSpan.FromSeconds(2)));
        entries.Add(new FaultScheduleEntry(At(0.7), DeviceFaultFactory.AppKill, Device(), TimeSpan.FromMilliseconds(1000 + rng.Next(0, 2000))));

        // A device that stops reading (drawn last, so the faults above stay as they were for every seed): past the
        // clients' server timeout, so the client gives up on the silent connection and resumes on a new one.
        var stallAt = At(0.12);
        var stall = ChatWorkload.ServerTimeout + TimeSpan.FromMilliseconds(1500 + rng.Next(0, 1500));
        if (stallAt + stall <= duration - TimeSpan.FromMilliseconds(500))
        {
            entries.Add(new FaultScheduleEntry(stallAt, DeviceFaultFactory.ReadStall, Device(), stall));
        }

        return new FaultSchedule([.. entries.OrderBy(e => e.At)], duration) { Scenario = Name, Seed = seed };
    }

    public override IFault CreateFault(FaultScheduleEntry entry, RunContext context) =>
        DeviceFaultFactory.Create(entry, context) ?? base.CreateFault(entry, context);

    public override async Task RunFaultPhaseAsync(RunContext context, TimeSpan duration, CancellationToken cancellationToken)
    {
        await base.RunFaultPhaseAsync(context, duration, cancellationToken);
        var evidence = RunEvidence.For(context);
        var time = context.TimeProvider;

        // Healed (woken, restarted): give every device a bounded while to be connected again, then read the gateways.
        await FaultEvidence.WaitForDevicesAsync(context, cancellationToken);
        double timeouts = 0;
        foreach (var gateway in context.System.Nodes.Where(n => n.Role == "gateway"))
        {
            timeouts += (await RoleMetrics.TryReadAsync(gateway, cancellationToken))?.Counter(TimeoutsCounter) ?? 0;
        }

        evidence.Counters[TimeoutsCounter] = timeouts;
    }

    protected override string? FaultsTookEffect(RunContext context)
    {
        var evidence = RunEvidence.For(context);
        var problems = new List<string>();

        var sleeps = evidence.Of<DeviceSleepFault>().Where(s => s.SequenceAtSleep is not null).ToList();
        var switches = evidence.Of<NetworkSwitchFault>().Where(s => s.ReconnectsAtSwitch is not null).ToList();
        var kills = evidence.Of<AppKillFault>().Where(k => k.SequenceAtKill is not null).ToList();
        var stalls = evidence.Of<ReadStallFault>().Where(s => s.ReconnectsAtStall is not null).ToList();
        if (sleeps.Count == 0 && switches.Count == 0 && kills.Count == 0 && stalls.Count == 0)
        {
            return "no device fault was applied";
        }

        var timeouts = evidence.Counters.GetValueOrDefault(TimeoutsCounter);
        if (sleeps.Count > 0 && timeouts < sleeps.Count)
        {
            problems.Add($"the gateways timed out {timeouts} connection(s) for {sleeps.Count} sleep(s) past the client timeout");
        }

        foreach (var sleep in sleeps)
        {
            var device = DeviceOf(context, sleep.Target);
            if (!sleep.Woken || device.Reconnects <= sleep.ReconnectsAtSleep)
            {
                problems.Add($"{sleep.Target} did not reconnect after it woke");
            }
        }

        if (sleeps.Count > 0 && !sleeps.Any(s => s.InboxAtWake > s.SequenceAtSleep))
        {
            problems.Add("no sleeping device missed anything, so no resume had a gap to replay");
        }

        foreach (var change in switches)
        {
            if (DeviceOf(context, change.Target).Reconnects <= change.ReconnectsAtSwitch)
            {
                problems.Add($"{change.Target} did not reconnect after its network switched");
            }
        }

        foreach (var kill in kills)
        {
            if (!kill.Restarted || DeviceOf(context, kill.Target).Restarts == 0)
            {
                problems.Add($"{kill.Target}'s app was not restarted");
            }
        }

        foreach (var stall in stalls)
        {
            if (stall.Connection is null)
            {
                problems.Add($"{stall.Target} had no connection through its proxy to stall");
            }
            else if (stall.ClosedBeforeHeal)
            {
                problems.Add($"{stall.Target}'s stalled connection closed before the heal could count what the gateway sent it");
            }
            else if (stall.BytesNotRead is not > 0)
            {
                problems.Add($"{stall.Target}'s stalled connection held nothing the gateway sent (its pings included)");
            }
            else if (stall.Lasted > ChatWorkload.ServerTimeout && DeviceOf(context, stall.Target).Reconnects <= stall.ReconnectsAtStall)
            {
                problems.Add($"{stall.Target} did not reconnect after reading nothing for {stall.Lasted?.TotalSeconds:0.0} s (past its {ChatWorkload.ServerTimeout.TotalSeconds:0} s server timeout)");
            }
        }

        var down = FaultEvidence.Disconnected(context);
        if (down.Count > 0)
        {
            problems.Add($"{down.Count} device(s) were not connected again after the fault phase ({string.Join(", ", down.Take(5))})");
        }

        return FaultEvidence.Sentence(problems);
    }

    private static VirtualDevice DeviceOf(RunContext context, string process) => context.Workload.Devices.First(d => d.Process == process);
}
