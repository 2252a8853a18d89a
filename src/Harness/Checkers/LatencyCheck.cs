using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>latency-slo: delivery latency percentiles, steady state versus fault phase, against the scenario's
/// thresholds. With no thresholds it only counts samples (and is valid).</summary>
public sealed class LatencyCheck(IReadOnlyList<LatencyThreshold>? thresholds = null) : ICheck
{
    private readonly IReadOnlyList<LatencyThreshold> _thresholds = thresholds ?? [];

    /// <inheritdoc/>
    public string Name => "latency";

    /// <inheritdoc/>
    public CheckResult Check(IReadOnlyList<HistoryEvent> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var analysis = LatencyAnalysis.For(history);
        var result = new CheckResultBuilder();
        foreach (var threshold in _thresholds)
        {
            if (analysis.LatencyAt(threshold.Phase, threshold.Percentile) is not { } observed)
            {
                continue;
            }

            var limit = (long)threshold.Limit.TotalNanoseconds;
            if (observed > limit)
            {
                var evidence = analysis.Slowest(threshold.Phase).Take(3).SelectMany(s => new[] { s.SendIndex, s.DeliverIndex }).ToArray();
                var name = threshold.Percentile >= 100 ? "max" : $"p{threshold.Percentile}";
                result.Add(AnomalyNames.LatencySlo, () => new AnomalyExample(
                    evidence,
                    $"{threshold.Phase} {name} delivery latency {observed / 1e6:0.###} ms > {threshold.Limit.TotalMilliseconds:0.###} ms over {analysis.CountOf(threshold.Phase)} deliveries (events: the slowest)"));
            }
        }

        result.Count("latency-samples-steady", analysis.Steady.Count);
        result.Count("latency-samples-fault", analysis.Fault.Count);
        return result.Build();
    }
}
