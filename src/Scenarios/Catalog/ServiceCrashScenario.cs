using Chaos.Harness.Checkers;
using Chaos.Harness.Faults.Failpoints;
using Chaos.Harness.Faults.Process;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Runs;
using Chaos.Harness.Workload;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// api and gateway instances killed and restarted under load — one api crashed exactly between persisting a message
/// and publishing it (<c>api.after-persist-before-publish</c>): the outbox must still publish it after the restart.
/// </summary>
internal sealed class ServiceCrashScenario : CrashScenario
{
    public override string Name => "service-crash";

    public override string Description =>
        "api and gateway instances SIGKILLed and restarted under load, one api crashed after persist and before publish: the outbox still publishes, clients reconnect, nothing lost.";

    public override TimeSpan DefaultDuration => TimeSpan.FromSeconds(30);

    public override CheckOptions CheckOptions => new()
    {
        // a dead gateway stalls its devices until they reconnect to it; deliveries then catch up from the inbox
        // a 3 s kill, the node starting again, its devices reconnecting
        LatencySlos = [LatencyBudget.Steady, LatencyBudget.Fault(TimeSpan.FromSeconds(3), LatencyBudget.NodeStart, LatencyBudget.ReconnectAll)],
        // its load: chat sends to every user's devices (delivery, ordering), jobs and the final drain, judged against SLOs
        RequiredPromises = [.. PromiseNames.Delivery, PromiseNames.JobsExactlyOnce, PromiseNames.LatencySlo, PromiseNames.Availability],
    };

    /// <summary>
    /// Senders retry a send the api left unanswered (killed mid-request) once, with the same idempotency key, on the
    /// other api: the retry of a message persisted before the crash must be answered from the key, not written again
    /// (api.write.idempotent-replay, docs/failure-paths.md).
    /// </summary>
    public override ChatWorkloadOptions ConfigureWorkload(ChatWorkloadOptions options) =>
        options with { RetryUnknownSends = Math.Max(options.RetryUnknownSends, 1) };

    /// <summary>
    /// A scripted timeline, its targets and trigger hit drawn from the seed: the failpoint crash of one api at 1 s
    /// (down for a quarter of the phase, 3–6 s), a gateway killed at 35 %, the other api killed at 55 % (each down
    /// 3 s), the other gateway restarted at 75 %.
    /// </summary>
    public override FaultSchedule BuildSchedule(long seed, TimeSpan duration)
    {
        var d = duration.TotalMilliseconds;
        var apiA = Pick(seed, 1, 2) + 1;
        var gatewayA = Pick(seed, 2, 2) + 1;
        var hit = Pick(seed, 3, 3) + 1;
        var down = Ms(Math.Clamp(d * 0.25, 3000, 6000));
        var parameters = new Dictionary<string, string>
        {
            ["point"] = "api.after-persist-before-publish",
            ["action"] = "crash",
            ["hit"] = hit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        FaultScheduleEntry[] entries =
        [
            new(Ms(Math.Min(1000, d * 0.05)), ProcessFaultNames.Failpoint, $"api-{apiA}", down, parameters),
            new(Ms(d * 0.35), ProcessFaultNames.Kill, $"gateway-{gatewayA}", TimeSpan.FromSeconds(3)),
            new(Ms(d * 0.55), ProcessFaultNames.Kill, $"api-{3 - apiA}", TimeSpan.FromSeconds(3)),
            new(Ms(d * 0.75), ProcessFaultNames.Restart, $"gateway-{3 - gatewayA}"),
        ];
        return new FaultSchedule(entries, duration) { Scenario = Name, Seed = seed };
    }

    /// <summary>
    /// Every process died and came back; the api crash happened at the failpoint (not a lucky SIGKILL) and afterwards
    /// no api holds unpublished outbox rows (the row persisted before the crash was published); devices of a killed
    /// or restarted gateway reconnected.
    /// </summary>
    public override async Task<string?> VerifyFaultsTookEffectAsync(RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var faults = FaultsOf(context);
        var problems = new List<string>();
        if (CheckFaults(context, faults) is { } basic)
        {
            problems.Add(basic);
        }

        var metrics = await ReadMetricsNowAsync(context, cancellationToken);
        if (faults.OfType<FailpointFault>().Any(f => f.Crashed && f.Settings.Point.StartsWith("api.", StringComparison.Ordinal)))
        {
            var backlog = metrics.Where(m => m.Node.StartsWith("api-", StringComparison.Ordinal)).Sum(m => m.Gauge("refsys.outbox.backlog"));
            RecordEvidence(context, $"outbox backlog after the drain: {backlog}; sends cut in flight (info): {context.Workload.Counters.Info}, sent again with their key: {context.Workload.Counters.Retried}");
            if (backlog > 0)
            {
                problems.Add($"after the drain the outbox still holds {backlog} unpublished rows");
            }
        }

        foreach (var gateway in faults.Where(f => KilledOrCrashed(f) && f.Target.StartsWith("gateway-", StringComparison.Ordinal)).Select(f => f.Target).Distinct())
        {
            var node = NodeOf(context, gateway);
            var hub = node?.Endpoint is { } endpoint ? new Uri(endpoint, "/hub") : null;
            RecordEvidence(context, $"{gateway}: {(hub is null ? 0 : ReconnectsOf(context, hub))} device reconnects");
            if (hub is not null && context.Workload.Devices.Any(d => d.Hub == hub) && ReconnectsOf(context, hub) == 0)
            {
                problems.Add($"no device of {gateway} reconnected after it went down");
            }
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }
}
