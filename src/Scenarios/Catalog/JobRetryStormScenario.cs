using System.Globalization;
using Chaos.Harness.Checkers;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Downstream;
using Chaos.Harness.Faults.Kafka;
using Chaos.Harness.Faults.Kinds;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Runs;
using Chaos.Harness.Workload;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// The jobs' downstream dependency fails, then refuses a share of calls for good, then is unreachable, then slows
/// down, then stalls past the caller's timeout, under job load with poison payloads mixed in; while calls are refused,
/// Kafka refuses the dead-letter topic's first records too. Retries must spread by exponential backoff with jitter
/// (within the retry envelope), a refused job must not be retried — not even after its dead-letter record was refused —
/// and, like a poison one, must be dead-lettered with a reason, and balances must be exact (docs/scenarios.md).
/// </summary>
internal sealed class JobRetryStormScenario : Scenario
{
    internal const string Failing = "downstream-failure";
    internal const string Slow = "downstream-slow";
    internal const string Refusing = "downstream-refuse";
    internal const string Stalled = "downstream-stall";
    internal const string Unreachable = "downstream-down";

    public override string Name => "job-retry-storm";

    public override string Description => "The jobs' downstream fails, refuses (and Kafka refuses the first dead-letter records), goes down, slows, then stalls under job load with poison payloads: backoff with jitter, no retry after a refusal, DLQ with reasons, exact balances.";

    public override TimeSpan DefaultDuration => TimeSpan.FromSeconds(20);

    /// <summary>The reference system's policy: base 100 ms, ×2 per retry, equal jitter (≥ half the delay), at most 10 s,
    /// 5 retries (src/Reference.System/Server/Jobs/JobsWorker.cs).</summary>
    internal static RetryEnvelope ReferencePolicy => new()
    {
        BaseDelay = TimeSpan.FromMilliseconds(100),
        MaxDelay = TimeSpan.FromSeconds(10),
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
        new FaultMenuItem(Refusing, ["jobs"], MinDuration: TimeSpan.FromSeconds(2), MaxDuration: TimeSpan.FromSeconds(6)),
        new FaultMenuItem(Stalled, ["jobs"], MinDuration: TimeSpan.FromSeconds(1), MaxDuration: TimeSpan.FromSeconds(3)),
        new FaultMenuItem(Unreachable, ["jobs"], MinDuration: TimeSpan.FromSeconds(1), MaxDuration: TimeSpan.FromSeconds(3)),
        new FaultMenuItem(KafkaFaultFactory.TopicRefused, [DeadLetterTopic], MinDuration: TimeSpan.FromSeconds(1), MaxDuration: TimeSpan.FromSeconds(4),
            Parameters: new Dictionary<string, IReadOnlyList<string>> { ["count"] = [RefusedRecords.ToString(CultureInfo.InvariantCulture)] }),
    ]);

    /// <summary>The topic the jobs dead-letter to, whose first records Kafka refuses while the provider refuses calls.</summary>
    internal const string DeadLetterTopic = "jobs-dlq";

    /// <summary>How many dead-letter produce requests Kafka refuses: a few, so each is re-tried within the window.</summary>
    private const int RefusedRecords = 3;

    /// <summary>
    /// Scripted, one downstream fault at a time (each heal lands before the next apply): failing for half of the first
    /// half, then refusing a share of calls for good for the rest of it; in the second half the provider unreachable
    /// (20 % of it), then slow and flaky (50 %), and last a stall past the caller's timeout (30 %). The stall comes last
    /// because a worker handles one job at a time: a stalled call holds it for its whole timeout, so a fault after the
    /// stall could pass without a call and its proof would fail. The default 20 s phase: failing 1–5.5 s, refusing
    /// 5.7–10 s, down 10.5–12.1 s, slow 12.3–16.4 s, stalled 16.6–19 s. Shorter phases scale down (the lead-in, gaps
    /// and tail shrink with the phase), so every entry has a length and is healed inside the phase.
    /// Beside the refusals, a Kafka fault: the dead-letter topic refuses its first <see cref="RefusedRecords"/> produce
    /// requests (topic-refused, from a gap after the refusals begin to a gap before they end), so a job refused for
    /// good has its dead-letter record refused and is read again — and must not be called again (retry-after-refusal).
    /// </summary>
    public override FaultSchedule BuildSchedule(long seed, TimeSpan duration)
    {
        var rng = new Random(unchecked((int)seed));
        var rate = 0.5 + (rng.NextDouble() * 0.3);
        var latency = 150 + rng.Next(0, 150);
        var half = duration / 2;
        var lead = Min(TimeSpan.FromSeconds(1), duration * 0.1);
        var gap = Min(TimeSpan.FromMilliseconds(200), duration * 0.02);

        // half and half: the refusals' window holds the dead-letter topic's refusal, whose apply (reading the topic's leaders,
        // moving them) takes a few hundred milliseconds of it, and whose records come only from refused and poison jobs
        var failingFor = (half - lead) * 0.5;
        var refusingAt = lead + failingFor + gap;

        var secondAt = half + Min(TimeSpan.FromMilliseconds(500), duration * 0.05);
        var end = duration - lead;
        var second = end - secondAt - (2 * gap);
        var downFor = second * 0.2;
        var slowAt = secondAt + downFor + gap;
        var slowFor = second * 0.5;
        var stallAt = slowAt + slowFor + gap;
        return new FaultSchedule(
        [
            new FaultScheduleEntry(lead, Failing, "jobs", failingFor, Params(("failureRate", rate), ("latencyMs", 0))),
            new FaultScheduleEntry(refusingAt, Refusing, "jobs", half - refusingAt, Params(("refusalRate", 0.3))),
            new FaultScheduleEntry(refusingAt + gap, KafkaFaultFactory.TopicRefused, DeadLetterTopic, half - refusingAt - (2 * gap), Params(("count", RefusedRecords))),
            new FaultScheduleEntry(secondAt, Unreachable, "jobs", downFor),
            new FaultScheduleEntry(slowAt, Slow, "jobs", slowFor, Params(("failureRate", 0.3), ("latencyMs", latency))),
            new FaultScheduleEntry(stallAt, Stalled, "jobs", end - stallAt),
        ], duration)
        { Scenario = Name, Seed = seed };

        static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

        static Dictionary<string, string> Params(params (string Name, double Value)[] values) =>
            values.ToDictionary(v => v.Name, v => v.Value.ToString("0.##", CultureInfo.InvariantCulture));
    }

    public override IFault CreateFault(FaultScheduleEntry entry, RunContext context) =>
        CreateDownstream(entry, context)
        ?? (entry.Fault == KafkaFaultFactory.TopicRefused ? RunEvidence.For(context).Add(KafkaFaultFactory.Create(entry, context)!) : null)
        ?? base.CreateFault(entry, context);

    /// <summary>The downstream kinds set the conditions of the provider the harness hosts, which the system must call.</summary>
    private static readonly IReadOnlyList<string> Provided = [FaultCapabilities.DownstreamProvider];

    /// <summary>The downstream kinds, each declared once (docs/faults.md, "Downstream and load-shape faults").</summary>
    internal static IReadOnlyList<FaultKind> DownstreamKinds { get; } =
    [
        new(Failing, "downstream", Provider, "the provider fails calls (503, retriable) at the given rate (and may answer late) until the heal",
            [FailureRate(0.6), LatencyMs(0)]) { Requires = Provided },
        new(Slow, "downstream", Provider, "the provider answers late (and may fail some calls) until the heal",
            [FailureRate(0.3), LatencyMs(200)]) { Requires = Provided },
        new(Refusing, "downstream", Provider, "the provider refuses calls for good (422: not to be retried) at the given rate until the heal",
            [FaultParameter.Number("refusalRate", 0.3, 0.01, 1, "the share of calls the provider refuses for good")]) { Requires = Provided },
        new(Stalled, "downstream", Provider, "the provider holds every call past the caller's timeout, then fails it (503), until the heal; proved by callers giving up",
            [FaultParameter.Integer("latencyMs", StallMs, 1_000, 60_000, "how long the provider holds each call before failing it, in milliseconds (the reference jobs give up after 5 s)")]) { Requires = Provided },
        new(Unreachable, "downstream", Provider, "the provider is unreachable: every connection is closed before a call is read, until the heal",
            []) { Requires = Provided },
    ];

    private const string Provider = "jobs (the jobs' payment provider the harness hosts)";

    /// <summary>The stall's default hold: past the reference jobs' 5 s call timeout (<c>HttpDownstream.CallTimeout</c>).</summary>
    private const long StallMs = 8_000;

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
        if (DownstreamKinds.FirstOrDefault(k => k.Name == entry.Fault) is not { } kind)
        {
            return null;
        }

        var conditions = entry.Fault switch
        {
            Refusing => new DownstreamConditions(0, TimeSpan.Zero, RefusalRate: kind.Number(entry, "refusalRate")!.Value),
            Stalled => new DownstreamConditions(1, TimeSpan.FromMilliseconds(kind.Integer(entry, "latencyMs")!.Value)),
            Unreachable => new DownstreamConditions(0, TimeSpan.Zero, Unreachable: true),
            _ => new DownstreamConditions(kind.Number(entry, "failureRate")!.Value, TimeSpan.FromMilliseconds(kind.Integer(entry, "latencyMs")!.Value)),
        };
        return RunEvidence.For(context).Add(new DownstreamFault(context.Downstream, conditions, entry.Fault));
    }

    /// <summary>Why <paramref name="fault"/> did not take effect, or null when it did: a stall must have had a call
    /// given up by its caller, every other kind is judged by <see cref="DownstreamFault.Explain"/>.</summary>
    internal static string? ExplainFault(DownstreamFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        return fault.Explain(expectAbandoned: fault.Name == Stalled);
    }

    /// <summary>
    /// Took effect when, counted at the harness's own provider rather than read from the jobs' attempt records, the
    /// failing fault failed calls, the refusing one refused calls, a caller gave up on a stalled call, the unreachable
    /// provider closed connections, the slow one received calls — and poison jobs were acknowledged; and the broker
    /// (not a client) refused dead-letter produce requests. The drain's count of attempts (what the jobs stamped) is
    /// written beside it for comparison.
    /// </summary>
    protected override string? FaultsTookEffect(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var faults = RunEvidence.For(context).Of<DownstreamFault>();
        var refusals = RunEvidence.For(context).Of<TopicRefusedFault>();
        var stamped = context.Workload.Jobs;
        var counts = context.Downstream.Counts;
        FaultEvidence.Record(context, string.Create(CultureInfo.InvariantCulture,
            $"downstream provider observed {counts.Calls} calls, {counts.Failed} failed ({counts.Refused} refused), {counts.Abandoned} abandoned by their caller, {counts.Dropped} connections closed unread; "
            + $"{string.Join("; ", faults.Select(d => $"{d.Name}: {d.Outcome ?? "not applied"}").Concat(refusals.Select(r => $"{r.Name}: {r.Outcome ?? "not healed"}")))}; "
            + $"the jobs stamped {stamped.Attempts} attempts, {stamped.TransientFailures} transient"));
        return Explain(faults.Select(d => (d.Name, ExplainFault(d))), stamped.PoisonSubmitted, refusals.Select(ExplainRefusal));
    }

    /// <summary>Why a topic refusal did not take effect (the broker refused no produce request for it), or null.</summary>
    internal static string? ExplainRefusal(TopicRefusedFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        return fault.Refused > 0
            ? null
            : $"{fault.Name} on {fault.Topic}: the broker refused no produce request for it ({fault.Outcome ?? "never healed"}): no record was dead-lettered while it lasted";
    }

    /// <summary>Null when every applied downstream fault took effect (each fault's own explanation null), a poison job
    /// was acknowledged and every Kafka fault's explanation is null; else every reason, in one sentence.</summary>
    internal static string? Explain(IEnumerable<(string Fault, string? Problem)> faults, long poisonSubmitted, IEnumerable<string?>? kafkaProblems = null)
    {
        var problems = new List<string>();
        var seen = faults.ToList();
        if (seen.Count == 0)
        {
            problems.Add("no downstream fault was applied");
        }

        problems.AddRange(seen.Where(f => f.Problem is not null).Select(f => f.Problem!));
        if (poisonSubmitted == 0)
        {
            problems.Add("no poison job was submitted and acknowledged");
        }

        problems.AddRange((kafkaProblems ?? []).OfType<string>());

        return FaultEvidence.Sentence(problems);
    }
}
