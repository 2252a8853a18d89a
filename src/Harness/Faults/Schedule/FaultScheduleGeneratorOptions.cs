namespace Chaos.Harness.Faults.Schedule;

/// <summary>How densely <see cref="FaultScheduleGenerator"/> places faults.</summary>
public sealed record FaultScheduleGeneratorOptions
{
    /// <summary>The mean gap between fault starts (gaps are exponential, drawn from the seed).</summary>
    public TimeSpan MeanInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>No fault starts before this offset, so the system is under load before the first one.</summary>
    public TimeSpan LeadIn { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// No fault starts within this much of the phase's end (default none): an apply still in flight when the phase
    /// ends is cancelled and recorded as failed, which a scenario that requires every planned fault to take hold would
    /// count against the run (random-mix: a toxic planned 218 ms before the end, on a busy box).
    /// </summary>
    public TimeSpan LeadOut { get; init; }

    /// <summary>
    /// When false (the default), a target is not given a second fault while one is still active on it;
    /// the draw falls back to another target of the fault, or skips that slot.
    /// </summary>
    public bool AllowOverlapOnTarget { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (MeanInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(MeanInterval), MeanInterval, "MeanInterval must be positive.");
        }

        if (LeadOut < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LeadOut), LeadOut, "LeadOut must not be negative.");
        }

        if (LeadIn < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(LeadIn), LeadIn, "LeadIn must not be negative.");
        }
    }
}
