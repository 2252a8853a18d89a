using Chaos.Harness.Checkers;
using Chaos.Harness.History;

namespace Chaos.Harness.Reports;

/// <summary>Everything a report is built from: the history (for example timelines), the composite result, the run's
/// metadata and the latency / throughput analysis (rebuilt from the history when not given).</summary>
public sealed record ReportInput(IReadOnlyList<HistoryEvent> History, CheckResult Result, RunMetadata Metadata)
{
    /// <summary>Latency and throughput; computed from <see cref="History"/> when null.</summary>
    public LatencyAnalysis? Latency { get; init; }

    internal LatencyAnalysis LatencyOrCompute() => Latency ?? LatencyAnalysis.For(History);
}
