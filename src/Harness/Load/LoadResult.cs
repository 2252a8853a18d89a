using HdrHistogram;

namespace Chaos.Harness.Load;

/// <summary>
/// The outcome of a load run. Latency is measured from each operation's intended start (so a stalled
/// target shows in it), <see cref="ScheduleLag"/> is actual minus intended start. Histograms are in
/// microseconds. Every arrival is accounted for: Intended = Started + Overflowed, and
/// Started = Completed + Failed + Unfinished.
/// </summary>
public sealed record LoadResult
{
    /// <summary>The profile's name.</summary>
    public required string Profile { get; init; }

    /// <summary>The profile's mean rate, operations per second.</summary>
    public required double TargetRate { get; init; }

    /// <summary>Operations started per second over the profile's duration (or the longer time the scheduler took).</summary>
    public required double AchievedRate { get; init; }

    /// <summary>The profile's duration.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>From the run's start until the last arrival was dispatched or overflowed.</summary>
    public required TimeSpan SchedulingElapsed { get; init; }

    /// <summary>Arrivals the scheduler reached (all of the profile's unless cancelled).</summary>
    public required long Intended { get; init; }

    /// <summary>Operations started.</summary>
    public required long Started { get; init; }

    /// <summary>Operations that returned normally.</summary>
    public required long Completed { get; init; }

    /// <summary>Operations that threw.</summary>
    public required long Failed { get; init; }

    /// <summary>Operations still running when the drain timed out or the run was cancelled.</summary>
    public required long Unfinished { get; init; }

    /// <summary>Operations that started later than the late threshold after their intended time.</summary>
    public required long Late { get; init; }

    /// <summary>Arrivals not started because the in-flight limit was reached.</summary>
    public required long Overflowed { get; init; }

    /// <summary>True when the run was cancelled before the profile ended.</summary>
    public required bool Cancelled { get; init; }

    /// <summary>Latency of completed (ok) operations from intended start to completion, microseconds.</summary>
    public required HistogramBase Latency { get; init; }

    /// <summary>Actual minus intended start of started operations, microseconds.</summary>
    public required HistogramBase ScheduleLag { get; init; }

    /// <summary>Percentiles of <see cref="Latency"/>.</summary>
    public LatencySummary LatencySummary => LatencySummary.FromMicroseconds(Latency);

    /// <summary>Percentiles of <see cref="ScheduleLag"/>.</summary>
    public LatencySummary ScheduleLagSummary => LatencySummary.FromMicroseconds(ScheduleLag);

    /// <summary>One entry per second of the profile (and of the drain, when operations finished then).</summary>
    public required IReadOnlyList<LoadSecond> TimeSeries { get; init; }
}
