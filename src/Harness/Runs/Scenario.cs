using Chaos.Harness.Checkers;
using Chaos.Harness.Sut;
using Chaos.Harness.Workload;

namespace Chaos.Harness.Runs;

/// <summary>
/// A named scenario: how to deploy the system, what load to put on it, which faults to inject during the fault
/// phase, and what the checkers hold it to. A scenario with faults must prove they took effect
/// (<see cref="VerifyFaultsTookEffect"/>), or the run is unknown — never a vacuous pass.
/// </summary>
public abstract class Scenario
{
    public abstract string Name { get; }

    /// <summary>One line for <c>chaos list</c>.</summary>
    public abstract string Description { get; }

    /// <summary>The fault phase's default length (the run adds warm-up, recovery and drain around it).</summary>
    public virtual TimeSpan DefaultDuration => TimeSpan.FromSeconds(20);

    /// <summary>The promises the checkers hold this scenario to, and its latency SLOs.</summary>
    public virtual CheckOptions CheckOptions => new();

    /// <summary>Shapes the deployment (instances, timeouts) before the run starts.</summary>
    public virtual ReferenceSystemOptions ConfigureSystem(ReferenceSystemOptions options) => options;

    /// <summary>Shapes the workload before the run starts.</summary>
    public virtual ChatWorkloadOptions ConfigureWorkload(ChatWorkloadOptions options) => options;

    /// <summary>Runs the fault phase for <paramref name="duration"/> under load. The default injects nothing.</summary>
    public virtual Task RunFaultPhaseAsync(RunContext context, TimeSpan duration, CancellationToken cancellationToken) =>
        Task.Delay(duration, context.TimeProvider, cancellationToken);

    /// <summary>Heals every fault this scenario may have applied; idempotent; also runs on abort.</summary>
    public virtual Task HealAllAsync(RunContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Null when the faults took effect (or there were none); otherwise what did not happen.</summary>
    public virtual string? VerifyFaultsTookEffect(RunContext context) => null;
}
