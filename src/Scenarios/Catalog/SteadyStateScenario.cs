using Chaos.Harness.Checkers;
using Chaos.Harness.Runs;

namespace Chaos.Scenarios.Catalog;

/// <summary>Load, no faults: proves the pipeline and the checkers end to end on the correct system.</summary>
internal sealed class SteadyStateScenario : Scenario
{
    public override string Name => "steady-state";

    public override string Description => "Chat, notification and job load with no faults: every promise must hold and latency stay within SLO.";

    public override TimeSpan DefaultDuration => TimeSpan.FromSeconds(20);

    public override CheckOptions CheckOptions => new()
    {
        // no fault: the whole loaded run is steady state
        LatencySlos = [LatencyBudget.Steady, LatencyThreshold.Parse("fault:p99=500ms")],
        // its load: chat sends to every user's devices (delivery, ordering), jobs and the final drain, judged against SLOs
        RequiredPromises = [.. PromiseNames.Delivery, PromiseNames.JobsExactlyOnce, PromiseNames.LatencySlo, PromiseNames.Availability],
    };
}
