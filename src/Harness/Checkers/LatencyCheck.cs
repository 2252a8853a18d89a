using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>latency-slo: delivery latency percentiles, steady state versus fault phase, against the scenario's
/// thresholds. A threshold without a phase (<see cref="LatencyThreshold.Each"/>) is judged in steady state and, when
/// the run had one, in the fault phase, each on its own. A breach cites the slowest deliveries of the phase it is
/// about (send invoke and deliver events). A phase without deliveries is not judged (the exercise checker says so).
/// With no thresholds it only counts samples (and is valid). In a run whose harness was overloaded (an
/// <c>overloaded</c> marker: it could not start its sends on time) a breach is undecided — the latency measured is
/// partly the harness's own — while an SLO met still holds.</summary>
public sealed class LatencyCheck(IReadOnlyList<LatencyThreshold>? thresholds = null) : ICheck
{
    /// <summary>How many of a phase's slowest deliveries a breach cites.</summary>
    public const int EvidenceCited = 3;

    private readonly IReadOnlyList<LatencyThreshold> _thresholds = thresholds ?? [];

    /// <inheritdoc/>
    public string Name => "latency";

    /// <summary>The phases (<c>steady</c>, <c>fault</c>, <c>all</c>) a threshold judges in a run with
    /// <paramref name="timeline"/>: <see cref="LatencyThreshold.Each"/> means steady state, plus the fault phase when the
    /// run had one.</summary>
    public static IReadOnlyList<string> PhasesOf(LatencyThreshold threshold, PhaseTimeline timeline)
    {
        ArgumentNullException.ThrowIfNull(threshold);
        ArgumentNullException.ThrowIfNull(timeline);
        return threshold.Phase != LatencyThreshold.Each ? [threshold.Phase]
            : timeline.HasFaultPhase ? [LatencyThreshold.Steady, LatencyThreshold.Fault]
            : [LatencyThreshold.Steady];
    }

    /// <inheritdoc/>
    public CheckResult Check(IReadOnlyList<HistoryEvent> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var analysis = LatencyAnalysis.For(history);
        var result = new CheckResultBuilder();
        var overloaded = history.FirstOrDefault(e => e.F == HistoryOps.Overloaded);
        foreach (var threshold in _thresholds)
        {
            foreach (var phase in PhasesOf(threshold, analysis.Timeline))
            {
                if (analysis.LatencyAt(phase, threshold.Percentile) is not { } observed)
                {
                    continue;
                }

                var limit = (long)threshold.Limit.TotalNanoseconds;
                if (observed > limit && overloaded is not null)
                {
                    var detail = (overloaded.Op as MarkerValue)?.Detail ?? "the harness could not keep its schedule";
                    result.Unknown($"{phase} p{threshold.Percentile} delivery latency {observed / 1e6:0.###} ms > {threshold.Limit.TotalMilliseconds:0.###} ms, " +
                        $"but the harness was overloaded (event {overloaded.Index}: {detail}): not a verdict on the system");
                }
                else if (observed > limit)
                {
                    var slowest = analysis.Slowest(phase).Take(EvidenceCited).ToList();
                    var evidence = slowest.SelectMany(s => new[] { s.SendIndex, s.DeliverIndex }).ToArray();
                    var name = threshold.Percentile >= 100 ? "max" : $"p{threshold.Percentile}";
                    var count = analysis.CountOf(phase);
                    result.Add(AnomalyNames.LatencySlo, () => new AnomalyExample(
                        evidence,
                        $"{phase} {name} delivery latency {observed / 1e6:0.###} ms > {threshold.Limit.TotalMilliseconds:0.###} ms over {count} deliveries " +
                        $"(SLO {threshold}{(threshold.Phase == LatencyThreshold.Each ? ", every phase" : "")}; events: the {slowest.Count} slowest of the phase, send invoke and delivery)"));
                }
            }
        }

        result.Count("latency-samples-steady", analysis.Steady.Count);
        result.Count("latency-samples-fault", analysis.Fault.Count);
        return result.Build();
    }
}
