using System.Globalization;

namespace Chaos.Harness.Faults.Downstream;

/// <summary>How the harness's downstream provider behaves now: the share of calls it fails (503) and how long it takes
/// to answer each call.</summary>
public sealed record DownstreamConditions(double FailureRate, TimeSpan Latency)
{
    /// <summary>Answers every call at once with success.</summary>
    public static DownstreamConditions Healthy { get; } = new(0, TimeSpan.Zero);

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public void Validate()
    {
        if (!(FailureRate is >= 0 and <= 1))
        {
            throw new ArgumentException($"{nameof(FailureRate)} must be within [0, 1], was {FailureRate.ToString(CultureInfo.InvariantCulture)}.", nameof(FailureRate));
        }

        if (Latency < TimeSpan.Zero || Latency > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"{nameof(Latency)} must be within 0..60 s, was {Latency}.", nameof(Latency));
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"failure rate {FailureRate:0.##}, latency {Latency.TotalMilliseconds:0} ms");
}
