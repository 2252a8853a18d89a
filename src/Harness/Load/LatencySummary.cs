using HdrHistogram;

namespace Chaos.Harness.Load;

/// <summary>Percentiles of a latency histogram recorded in microseconds.</summary>
public sealed record LatencySummary(
    long Count,
    TimeSpan Min,
    TimeSpan Mean,
    TimeSpan P50,
    TimeSpan P90,
    TimeSpan P95,
    TimeSpan P99,
    TimeSpan P999,
    TimeSpan Max)
{
    /// <summary>An empty summary (no samples).</summary>
    public static LatencySummary Empty { get; } = new(0, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>Summarises a histogram whose values are microseconds.</summary>
    public static LatencySummary FromMicroseconds(HistogramBase histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        if (histogram.TotalCount == 0)
        {
            return Empty;
        }

        return new LatencySummary(
            histogram.TotalCount,
            Micros(histogram.GetValueAtPercentile(0)),
            TimeSpan.FromMicroseconds(histogram.GetMean()),
            Micros(histogram.GetValueAtPercentile(50)),
            Micros(histogram.GetValueAtPercentile(90)),
            Micros(histogram.GetValueAtPercentile(95)),
            Micros(histogram.GetValueAtPercentile(99)),
            Micros(histogram.GetValueAtPercentile(99.9)),
            Micros(histogram.GetMaxValue()));
    }

    private static TimeSpan Micros(long value) => TimeSpan.FromMicroseconds(value);
}
