namespace Chaos.Harness.Load;

/// <summary>
/// A stretch of an arrival profile whose rate changes linearly from <see cref="FromRate"/> to
/// <see cref="ToRate"/> (operations per second) over <see cref="Duration"/>; a constant stretch has equal rates.
/// </summary>
public readonly record struct RateSegment(TimeSpan Duration, double FromRate, double ToRate)
{
    /// <summary>The number of arrivals this segment holds on average: the area under its rate line.</summary>
    public double ExpectedCount => (FromRate + ToRate) / 2 * Duration.TotalSeconds;
}
