using System.Globalization;
using Chaos.Harness.Checkers;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Downstream;
using Chaos.Harness.Faults.Kinds;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Runs;
using Chaos.Harness.Workload;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// The jobs' downstream dependency fails, then slows down, under job load with poison payloads mixed in: retries
/// must spread by exponential backoff with jitter (within the retry envelope), poison jobs must be dead-lettered
/// with a reason, and balances must be exact.
/// </summary>
internal sealed class JobRetryStormScenario : Scenario
{
    internal const string Failing = "downstream-failure";
    internal const string Slow = "downstream-slow";

    public override string Name => "job-retry-storm";

    public override string Description => "The jobs' downstream fails then slows under job load with poison payloads: backoff with jitter, DLQ with reasons, exact balances.";

    public override TimeSpan DefaultDuration => TimeSpan.FromSeconds(20);

    /// <summary>The reference system's policy: base 100 ms, ×2 per retry, equal jitter (≥ half the delay), 5 retries.</summary>
    internal static RetryEnvelope ReferencePolicy => new()
    {
        BaseDelay = TimeSpan.FromMilliseconds(100),
        Multiplier = 2,
        Jitter = 0.55, // the policy's floor is 0.5; a margin for a redelivery's wait, measured from a millisecond stamp
        MaxAttempts = 6,
    };

    /// <summary>Every promise, retries judged against <see cref="ReferencePolicy"/>.</summary>
    public override CheckOptions CheckOptions => new()
    {
        Retries = ReferencePolicy,
        // a failing downstream slows jobs, not deliveries: messages stay within the steady budget, with the margin
        LatencySlos = [LatencyBudget.Steady, LatencyBudget.Fault(LatencyBudget.SteadyP99)],
        // every promise: the downstream failures make jobs retry (retries-within-backoff), under chat load as everywhere
        RequiredPromises = PromiseNames.All,
    };

    public override ChatWorkloadOptions ConfigureWorkload(ChatWorkloadOptions options) => options with
    {
        JobRate = Math.Max(options.JobRate, 20),
        PoisonJobRate = options.PoisonJobRate > 0 ? options.PoisonJobRate : 0.05,
    };

    public override FaultMenu Faults => new(
    [
        new FaultMenuItem(Failing, ["jobs"], MinDuration: TimeSpan.FromSeconds(3), MaxDuration: TimeSpan.FromSeconds(10)),
        new FaultMenuItem(Slow, ["jobs"], MinDuration: TimeSpan.FromSeconds(3), MaxDuration: TimeSpan.FromSeconds(10)),
    ]);

    /// <summary>Scripted: failing for the first half of the phase, then slow and flaky for most of the second.</summary>
    public override FaultSchedule BuildSchedule(long seed, TimeSpan duration)
    {
        var half = duration / 2;
        var rng = new Random(unchecked((int)seed));
        var rate = 0.5 + (rng.NextDouble() * 0.3);
        return new FaultSchedule(
        [
            new FaultScheduleEntry(TimeSpan.FromSeconds(1), Failing, "jobs", half - TimeSpan.FromSeconds(1), Params(rate, 0)),
            new FaultScheduleEntry(half + TimeSpan.FromSeconds(1), Slow, "jobs", half - TimeSpan.FromSeconds(2), Params(0.3, 150 + rng.Next(0, 150))),
        ], duration)
        { Scenario = Name, Seed = seed };

        static Dictionary<string, string> Params(double failureRate, int latencyMs) => new()
        {
            ["failureRate"] = failureRate.ToString("0.##", CultureInfo.InvariantCulture),
            ["latencyMs"] = latencyMs.ToString(CultureInfo.InvariantCulture),
        };
    }

    public override IFault CreateFault(FaultScheduleEntry entry, RunContext context) =>
        CreateDownstream(entry, context) ?? base.CreateFault(entry, context);

    /// <summary>The downstream kinds, each declared once (docs/faults.md, "Downstream and load-shape faults").</summary>
    internal static IReadOnlyList<FaultKind> DownstreamKinds { get; } =
    [
        new(Failing, "downstream", "jobs (the jobs' payment provider the harness hosts)", "the provider fails calls at the given rate (and may answer late) until the heal",
            [FailureRate(0.6), LatencyMs(0)]),
        new(Slow, "downstream", "jobs (the jobs' payment provider the harness hosts)", "the provider answers late (and may fail some calls) until the heal",
            [FailureRate(0.3), LatencyMs(200)]),
    ];

    private static FaultParameter FailureRate(double @default) =>
        FaultParameter.Number("failureRate", @default, 0, 1, "the share of calls the provider fails");

    private static FaultParameter LatencyMs(long @default) =>
        FaultParameter.Integer("latencyMs", @default, 0, 60_000, "how late the provider answers each call, in milliseconds");

    /// <summary>
    /// The downstream fault for <paramref name="entry"/> on the run's provider (registered in its
    /// <see cref="RunEvidence"/>), or null when it names none: shared with random-mix.
    /// </summary>
    internal static IFault? CreateDownstream(FaultScheduleEntry entry, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(context);
        if (entry.Fault is not (Failing or Slow))
        {
            return null;
        }

        var kind = DownstreamKinds.First(k => k.Name == entry.Fault);
        var failureRate = kind.Number(entry, "failureRate")!.Value;
        var latencyMs = (int)kind.Integer(entry, "latencyMs")!.Value;
        return RunEvidence.For(context).Add(new DownstreamFault(context.Downstream, failureRate, latencyMs, entry.Fault));
    }

    /// <summary>
    /// Took effect when the harness's own provider failed calls while a failing fault held and received calls while the
    /// slow one held — counted at the provider, not read from the jobs' own attempt records — and poison jobs were
    /// acknowledged. The drain's count of attempts (what the jobs stamped) is written beside it for comparison.
    /// </summary>
    public override string? VerifyFaultsTookEffect(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var faults = RunEvidence.For(context).Of<DownstreamFault>();
        var stamped = context.Workload.Jobs;
        FaultEvidence.Record(context, string.Create(CultureInfo.InvariantCulture,
            $"downstream provider observed {context.Downstream.CallCount} calls, {context.Downstream.FailedCount} failed; "
            + $"{string.Join(", ", faults.Select(d => $"{d.Name}: {d.CallsWhileApplied} calls, {d.FailedWhileApplied} failed"))}; "
            + $"the jobs stamped {stamped.Attempts} attempts, {stamped.TransientFailures} transient"));
        return Explain(faults.Select(d => (d.Name, d.CallsWhileApplied, d.FailedWhileApplied)), stamped.PoisonSubmitted);
    }

    /// <summary>Null when every failing fault saw failed calls, every slow one saw calls, and a poison job was acknowledged.</summary>
    internal static string? Explain(IEnumerable<(string Fault, long Calls, long Failed)> faults, long poisonSubmitted)
    {
        var problems = new List<string>();
        var seen = faults.ToList();
        if (seen.Count == 0)
        {
            problems.Add("no downstream fault was applied");
        }

        foreach (var (fault, calls, failed) in seen)
        {
            if (fault == Failing && failed == 0)
            {
                problems.Add($"{fault}: the provider failed none of the {calls} calls it received while it held (the fault never reached the jobs)");
            }
            else if (fault == Slow && calls == 0)
            {
                problems.Add($"{fault}: the provider received no call while it held");
            }
        }

        if (poisonSubmitted == 0)
        {
            problems.Add("no poison job was submitted and acknowledged");
        }

        return FaultEvidence.Sentence(problems);
    }
}
