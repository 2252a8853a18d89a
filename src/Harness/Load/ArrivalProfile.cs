using System.Globalization;

namespace Chaos.Harness.Load;

/// <summary>
/// An open-model arrival-rate profile: a piecewise-linear rate curve (operations per second over time)
/// and an <see cref="ArrivalProcess"/> that places arrivals under it. <see cref="IntendedStarts"/> is a pure
/// function of (profile, seed): the same inputs give the same intended start times, always.
/// </summary>
public sealed class ArrivalProfile
{
    private readonly RateSegment[] _segments;

    private ArrivalProfile(string name, RateSegment[] segments, ArrivalProcess process)
    {
        Name = name;
        _segments = segments;
        Process = process;
        Duration = TimeSpan.FromTicks(segments.Sum(s => s.Duration.Ticks));
        ExpectedCount = segments.Sum(s => s.ExpectedCount);
    }

    /// <summary>A short name for reports: constant, ramp, spike, random or stages.</summary>
    public string Name { get; }

    /// <summary>How arrivals are placed under the rate curve.</summary>
    public ArrivalProcess Process { get; }

    /// <summary>The rate curve, in order.</summary>
    public IReadOnlyList<RateSegment> Segments => _segments;

    /// <summary>The length of the profile; no arrival is at or after it.</summary>
    public TimeSpan Duration { get; }

    /// <summary>The mean number of arrivals (exact, give or take one, for <see cref="ArrivalProcess.Uniform"/>).</summary>
    public double ExpectedCount { get; }

    /// <summary>The mean rate over the whole profile, operations per second.</summary>
    public double MeanRate => ExpectedCount / Duration.TotalSeconds;

    /// <summary>A constant rate for a duration.</summary>
    public static ArrivalProfile Constant(double ratePerSecond, TimeSpan duration) =>
        Create("constant", [new RateSegment(duration, ratePerSecond, ratePerSecond)], ArrivalProcess.Uniform);

    /// <summary>A rate rising (or falling) linearly from <paramref name="fromRate"/> to <paramref name="toRate"/> over the duration.</summary>
    public static ArrivalProfile Ramp(double fromRate, double toRate, TimeSpan duration) =>
        Create("ramp", [new RateSegment(duration, fromRate, toRate)], ArrivalProcess.Uniform);

    /// <summary>
    /// A base rate with bursts far above it: during each burst the rate is the burst's own rate.
    /// Bursts must lie inside the duration and not overlap.
    /// </summary>
    public static ArrivalProfile Spike(double baseRate, TimeSpan duration, IEnumerable<SpikeBurst> bursts)
    {
        ArgumentNullException.ThrowIfNull(bursts);
        var segments = new List<RateSegment>();
        var cursor = TimeSpan.Zero;
        foreach (var burst in bursts.OrderBy(b => b.At))
        {
            if (burst.At < cursor)
            {
                throw new ArgumentOutOfRangeException(nameof(bursts), burst.At, "Spike bursts overlap or start before zero.");
            }

            if (burst.Duration <= TimeSpan.Zero || burst.At + burst.Duration > duration)
            {
                throw new ArgumentOutOfRangeException(nameof(bursts), burst.Duration, "A spike burst must have a positive duration and end inside the profile.");
            }

            if (burst.At > cursor)
            {
                segments.Add(new RateSegment(burst.At - cursor, baseRate, baseRate));
            }

            segments.Add(new RateSegment(burst.Duration, burst.Rate, burst.Rate));
            cursor = burst.At + burst.Duration;
        }

        if (cursor < duration)
        {
            segments.Add(new RateSegment(duration - cursor, baseRate, baseRate));
        }

        return Create("spike", [.. segments], ArrivalProcess.Uniform);
    }

    /// <summary>Poisson arrivals at a constant mean rate: exponential inter-arrival times drawn from the seed.</summary>
    public static ArrivalProfile Random(double ratePerSecond, TimeSpan duration) =>
        Create("random", [new RateSegment(duration, ratePerSecond, ratePerSecond)], ArrivalProcess.Poisson);

    /// <summary>Consecutive stages (NBomber-style "inject per second" / "ramp" steps) in one profile.</summary>
    public static ArrivalProfile Stages(params IEnumerable<RateSegment> segments)
    {
        ArgumentNullException.ThrowIfNull(segments);
        return Create("stages", [.. segments], ArrivalProcess.Uniform);
    }

    /// <summary>The same rate curve with Poisson arrivals instead of evenly spaced ones.</summary>
    public ArrivalProfile WithPoissonArrivals() => new(Name, _segments, ArrivalProcess.Poisson);

    /// <summary>The rate (operations per second) the curve asks for at an offset.</summary>
    public double RateAt(TimeSpan offset)
    {
        var start = TimeSpan.Zero;
        foreach (var segment in _segments)
        {
            if (offset < start + segment.Duration)
            {
                var fraction = (offset - start) / segment.Duration;
                return segment.FromRate + ((segment.ToRate - segment.FromRate) * fraction);
            }

            start += segment.Duration;
        }

        return 0;
    }

    /// <summary>
    /// The intended start times, as offsets from the start of the load, in ascending order, lazily.
    /// Arrival k (uniform) or the k-th jump of a unit-rate Poisson process (Poisson) is mapped through the
    /// inverse of the cumulative rate, so every shape gets the right count where it asks for it.
    /// </summary>
    public IEnumerable<TimeSpan> IntendedStarts(long seed)
    {
        var random = Process == ArrivalProcess.Poisson ? new SplitMix64(seed) : null;
        double position = random is null ? 0 : random.NextExponential();
        double segmentBase = 0;
        double segmentStart = 0;
        foreach (var segment in _segments)
        {
            var length = segment.Duration.TotalSeconds;
            var count = segment.ExpectedCount;
            var end = segmentStart + length;
            while (position < segmentBase + count)
            {
                var seconds = segmentStart + InverseCumulative(segment, length, position - segmentBase);
                var offset = TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
                if (offset >= Duration)
                {
                    yield break;
                }

                yield return offset;
                position += random is null ? 1 : random.NextExponential();
            }

            segmentBase += count;
            segmentStart = end;
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Name} ({Process}, {_segments.Length} segment(s), {Duration.TotalSeconds:0.###} s, mean {MeanRate:0.##}/s)");

    // Solves a·τ + (b−a)·τ²/(2L) = x for τ in the stable form 2x / (a + √(a² + 2(b−a)x/L)).
    private static double InverseCumulative(RateSegment segment, double length, double x)
    {
        if (x <= 0)
        {
            return 0;
        }

        var a = segment.FromRate;
        var slope = (segment.ToRate - a) / length;
        var root = Math.Sqrt(Math.Max(0, (a * a) + (2 * slope * x)));
        var tau = 2 * x / (a + root);
        return Math.Min(tau, length);
    }

    private static ArrivalProfile Create(string name, RateSegment[] segments, ArrivalProcess process)
    {
        if (segments.Length == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(segments), "A profile needs at least one segment.");
        }

        foreach (var segment in segments)
        {
            if (segment.Duration <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException("duration", segment.Duration, "A profile's duration must be positive.");
            }

            if (!double.IsFinite(segment.FromRate) || segment.FromRate < 0)
            {
                throw new ArgumentOutOfRangeException("rate", segment.FromRate, "A rate must be a finite number of operations per second, zero or more.");
            }

            if (!double.IsFinite(segment.ToRate) || segment.ToRate < 0)
            {
                throw new ArgumentOutOfRangeException("rate", segment.ToRate, "A rate must be a finite number of operations per second, zero or more.");
            }
        }

        return new ArrivalProfile(name, segments, process);
    }
}
