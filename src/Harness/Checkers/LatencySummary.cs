namespace Chaos.Harness.Checkers;

/// <summary>Delivery latency percentiles of one phase, in nanoseconds.</summary>
public sealed record LatencySummary(long Count, long P50, long P95, long P99, long Max, double Mean)
{
    /// <summary>No samples.</summary>
    public static LatencySummary Empty { get; } = new(0, 0, 0, 0, 0, 0);
}
