using System.Globalization;

namespace Chaos.Harness.Faults.Downstream;

/// <summary>
/// How the harness's downstream provider behaves now. Each call draws once: below <see cref="RefusalRate"/> it is
/// refused for good (422: the caller must not retry it), below <see cref="RefusalRate"/> + <see cref="FailureRate"/>
/// it fails (503: the caller may retry); the answer comes after <see cref="Latency"/>. With <see cref="Unreachable"/> the
/// provider is unreachable: it closes every connection before reading a call (a dead upstream behind a load balancer
/// that still accepts TCP), so the calls made meanwhile are not received, not recorded.
/// </summary>
public sealed record DownstreamConditions(double FailureRate, TimeSpan Latency, double RefusalRate = 0, bool Unreachable = false)
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

        if (!(RefusalRate is >= 0 and <= 1))
        {
            throw new ArgumentException($"{nameof(RefusalRate)} must be within [0, 1], was {RefusalRate.ToString(CultureInfo.InvariantCulture)}.", nameof(RefusalRate));
        }

        if (FailureRate + RefusalRate > 1)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{nameof(FailureRate)} + {nameof(RefusalRate)} must be at most 1, was {FailureRate + RefusalRate}."), nameof(RefusalRate));
        }

        if (Latency < TimeSpan.Zero || Latency > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"{nameof(Latency)} must be within 0..60 s, was {Latency}.", nameof(Latency));
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Unreachable
        ? "unreachable (every connection closed unread)"
        : string.Create(CultureInfo.InvariantCulture, $"failure rate {FailureRate:0.##}, refusal rate {RefusalRate:0.##}, latency {Latency.TotalMilliseconds:0} ms");
}
