using Chaos.Harness.Checkers;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Kafka;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Runs;
using Chaos.Reference.Adapter;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// Duplicate events: already-processed fan-out and job records are re-published under load. The notifier must recognise
/// every replayed record by its business key (no second sequence number, no second delivery) and the jobs worker must
/// not apply a credit twice (catches <c>no-dedupe</c>).
/// </summary>
internal sealed class DuplicateReplayScenario : Scenario
{

    public override string Name => "duplicate-replay";

    public override string Description =>
        "Already-processed fan-out and job records re-published under load: the system must deduplicate them (no duplicate delivery, no second sequence number, no double credit).";

    public override TimeSpan DefaultDuration => TimeSpan.FromSeconds(30);

    public override CheckOptions CheckOptions => new()
    {
        // a replay adds sixty records' work, not a stall: new messages stay within the steady budget, with the margin
        LatencySlos = [LatencyBudget.Steady, LatencyBudget.Fault(LatencyBudget.SteadyP99)],
        // fan-out and job records are replayed, so delivery and jobs are what it proves; its load: chat sends to every
        // user's devices (delivery, ordering), jobs and the final drain, judged against SLOs
        RequiredPromises = [.. PromiseNames.Delivery, PromiseNames.JobsExactlyOnce, PromiseNames.LatencySlo, PromiseNames.Availability],
    };

    public override FaultMenu Faults => new(
    [
        new FaultMenuItem(KafkaFaultFactory.Replay, ["fanout", "jobs"], Parameters: new Dictionary<string, IReadOnlyList<string>> { ["count"] = ["20", "60", "120"] }),
        // not in the scripted timeline (stopping every member costs a rebalance); available to incident files
        new FaultMenuItem(KafkaFaultFactory.OffsetRewind, ["notifier", "jobs"], Parameters: new Dictionary<string, IReadOnlyList<string>> { ["records"] = ["10", "50"] }),
    ]);

    /// <summary>Two replays of the fan-out topic and one of the jobs topic, at fixed fractions of the phase.</summary>
    public override FaultSchedule BuildSchedule(long seed, TimeSpan duration)
    {
        var d = duration.TotalMilliseconds;
        FaultScheduleEntry At(double fraction, string topic, string count) =>
            new(TimeSpan.FromMilliseconds(Math.Floor(fraction * d)), KafkaFaultFactory.Replay, topic, null, new Dictionary<string, string> { ["count"] = count });
        return new FaultSchedule([At(0.2, "fanout", "60"), At(0.35, "jobs", "20"), At(0.6, "fanout", "60")], duration) { Seed = seed, Scenario = Name };
    }

    public override IFault CreateFault(FaultScheduleEntry entry, RunContext context)
    {
        var fault = KafkaFaultFactory.Create(entry, context) ?? base.CreateFault(entry, context);
        if (fault is RecordReplayFault replay)
        {
            context.State<List<RecordReplayFault>>().Add(replay);
        }

        return fault;
    }

    public override async Task RunFaultPhaseAsync(RunContext context, TimeSpan duration, CancellationToken cancellationToken)
    {
        await base.RunFaultPhaseAsync(context, duration, cancellationToken);
        var replays = context.State<List<RecordReplayFault>>();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(20));
        ReplayEvidence evidence = new();
        try
        {
            // every replayed copy lies below these marks: the groups must commit past them
            var fanoutMarks = await Task.Run(() => TopicRecords.HighWatermarks(context.System.Kafka.BootstrapServers, "fanout"), bound.Token);
            var jobsMarks = await Task.Run(() => TopicRecords.HighWatermarks(context.System.Kafka.BootstrapServers, "jobs"), bound.Token);
            // the replayed copies are consumed within moments; wait until every record on the topic has been handled
            while (true)
            {
                var notifiers = await RoleMetrics.ReadAllAsync(context.System.InstancesOf("notifier"), bound.Token);
                var jobs = await RoleMetrics.ReadAllAsync(context.System.InstancesOf("jobs"), bound.Token);
                var fanoutBehind = await Task.Run(() => GroupOffsets.Behind(context.System.Kafka.BootstrapServers, "notifier", "fanout", fanoutMarks), bound.Token);
                var jobsBehind = await Task.Run(() => GroupOffsets.Behind(context.System.Kafka.BootstrapServers, "jobs", "jobs", jobsMarks), bound.Token);
                if (bound.IsCancellationRequested)
                {
                    break; // reads cut short by the bound prove nothing: the last complete evidence stands
                }

                evidence = new ReplayEvidence
                {
                    FanoutReplayed = replays.Where(r => r.Topic == "fanout").Sum(r => r.Replayed),
                    JobsReplayed = replays.Where(r => r.Topic == "jobs").Sum(r => r.Replayed),
                    FanoutBehind = fanoutBehind,
                    JobsBehind = jobsBehind,
                    NotifierDedupeHits = notifiers.Sum(m => m.Counter("refsys.duplicates")),
                    JobsDedupeHits = jobs.Sum(m => m.Counter("refsys.duplicates")),
                };
                if (evidence.Explain() is null)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), context.TimeProvider, bound.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // the evidence gathered last stands
        }

        FaultEvidence.Record(context, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"replayed: fan-out {evidence.FanoutReplayed}, jobs {evidence.JobsReplayed}; not yet consumed of what the topics held at the end of the fault phase (read from Kafka): notifier group {evidence.FanoutBehind}, jobs group {evidence.JobsBehind}; recognised as duplicates (the system's own count, not judged): notifiers {evidence.NotifierDedupeHits}, jobs {evidence.JobsDedupeHits}"));
        context.SetState(evidence);
    }

    protected override string? FaultsTookEffect(RunContext context) =>
        context.StateOrNull<ReplayEvidence>() is { } evidence ? evidence.Explain() : "no evidence was gathered after the fault phase";
}
