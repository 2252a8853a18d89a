namespace Chaos.Harness.Checkers;

/// <summary>How many of the requests a client makes while no fault is active the system may turn away
/// (docs/checkers.md, "Availability outside faults"): a kind of request (chat sends, notification sends, job submits)
/// is <c>unavailable</c> when, in the steady phase, at least <see cref="MinRefused"/> of its attempts and more than
/// <see cref="MaxRefusedFraction"/> of them ended fail (refused) or info (unanswered).</summary>
public sealed record AvailabilityBudget
{
    /// <summary>The share of a kind's steady-phase attempts that may end fail or info (default 1 %).</summary>
    public double MaxRefusedFraction { get; init; } = 0.01;

    /// <summary>The fewest turned-away attempts that can make a kind unavailable (default 3): one stray timeout among
    /// a handful of attempts is not an outage.</summary>
    public int MinRefused { get; init; } = 3;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public void Validate()
    {
        if (MaxRefusedFraction is < 0 or > 1 || double.IsNaN(MaxRefusedFraction))
        {
            throw new ArgumentException("AvailabilityBudget.MaxRefusedFraction must be between 0 and 1.", nameof(MaxRefusedFraction));
        }

        if (MinRefused < 1)
        {
            throw new ArgumentException("AvailabilityBudget.MinRefused must be at least 1.", nameof(MinRefused));
        }
    }
}
