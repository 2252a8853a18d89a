using Chaos.Harness.Checkers;
using Chaos.Harness.Deployment;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Workload;

namespace Chaos.Harness.Runs;

/// <summary>
/// A named scenario: how to deploy the system, what load to put on it, which faults to inject during the fault
/// phase, and what the checkers hold it to. A scenario with faults must prove they took effect
/// (<see cref="VerifyFaultsTookEffectAsync"/>), or the run is unknown — never a vacuous pass.
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

    /// <summary>
    /// What this scenario needs of the deployment (instances per role, timeouts), from the run's
    /// <paramref name="requirements"/>; the system's adapter checks it can meet them before anything starts.
    /// </summary>
    public virtual SystemRequirements ConfigureSystem(SystemRequirements requirements) => requirements;

    /// <summary>Shapes the workload before the run starts.</summary>
    public virtual ChatWorkloadOptions ConfigureWorkload(ChatWorkloadOptions options) => options;

    /// <summary>The faults this scenario draws its schedule from (null: none). Also what an incident file may name.</summary>
    public virtual FaultMenu? Faults => null;

    /// <summary>How densely the generated schedule places faults.</summary>
    public virtual FaultScheduleGeneratorOptions? ScheduleOptions => null;

    /// <summary>The fault names and targets an incident file for this scenario may use.</summary>
    public virtual FaultCatalogue Catalogue => Faults?.ToCatalogue() ?? new FaultCatalogue(new Dictionary<string, IEnumerable<string>>());

    /// <summary>
    /// The fault names and targets an incident file for this scenario may use against a system of
    /// <paramref name="shape"/>; by default <see cref="Catalogue"/> (a scenario written for one system names its nodes).
    /// </summary>
    public virtual FaultCatalogue CatalogueOn(SystemShape shape) => Catalogue;

    /// <summary>
    /// The fault timeline for a seed against a system of <paramref name="shape"/>: the same seed and shape give the same
    /// schedule; by default the shape-blind <see cref="BuildSchedule(long, TimeSpan)"/> (a scenario scripted on the
    /// reference system's names, or one that names no node at all).
    /// </summary>
    public virtual FaultSchedule BuildSchedule(long seed, TimeSpan duration, SystemShape shape) => BuildSchedule(seed, duration);

    /// <summary>The fault timeline for a seed: the same seed gives the same schedule, byte for byte.</summary>
    public virtual FaultSchedule BuildSchedule(long seed, TimeSpan duration) =>
        Faults is { } menu
            ? FaultScheduleGenerator.Generate(menu, seed, duration, ScheduleOptions, Name)
            : new FaultSchedule([], duration) { Scenario = Name, Seed = seed };

    /// <summary>Turns a schedule entry into the fault that carries it out against this run.</summary>
    public virtual IFault CreateFault(FaultScheduleEntry entry, RunContext context) =>
        throw new NotSupportedException($"scenario {Name} has no fault '{entry.Fault}'");

    /// <summary>Runs the fault phase for <paramref name="duration"/> under load: plays the run's schedule.</summary>
    public virtual Task RunFaultPhaseAsync(RunContext context, TimeSpan duration, CancellationToken cancellationToken) =>
        ScheduleRunner.RunAsync(context.Schedule, e => CreateFault(e, context), context.Nemesis, duration, context.TimeProvider, cancellationToken);

    /// <summary>Heals every fault still in force; idempotent; also runs on abort.</summary>
    public virtual Task HealAllAsync(RunContext context, CancellationToken cancellationToken) => context.Nemesis.HealAllAsync(cancellationToken);

    /// <summary>Null when the faults took effect (or there were none); otherwise what did not happen.</summary>
    /// <remarks>
    /// Runs once, after the final drain. Override it when the proof needs the system read now (its metrics, Kafka);
    /// by default it is <see cref="FaultsTookEffect"/>, judged from the evidence the run already holds.
    /// </remarks>
    public virtual Task<string?> VerifyFaultsTookEffectAsync(RunContext context, CancellationToken cancellationToken) => Task.FromResult(FaultsTookEffect(context));

    /// <summary>
    /// What <see cref="VerifyFaultsTookEffectAsync"/> answers unless overridden: null when the faults took effect (or
    /// there were none), otherwise what did not happen — from the faults' outcomes and what the scenario gathered, no I/O.
    /// </summary>
    protected virtual string? FaultsTookEffect(RunContext context) => null;
}
