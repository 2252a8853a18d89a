namespace Chaos.Harness.Faults.Schedule;

/// <summary>
/// A run's fault timeline: what happens when during the fault phase. Generated from a seed
/// (<see cref="FaultScheduleGenerator"/>) or written by hand (an incident file), saved as schedule.json
/// and loaded back for replay (<see cref="FaultScheduleFile"/>).
/// </summary>
public sealed record FaultSchedule
{
    /// <summary>Creates a schedule; entries are kept ordered by time, then fault, then target.</summary>
    public FaultSchedule(IEnumerable<FaultScheduleEntry> entries, TimeSpan? duration = null)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Entries = [.. entries
            .Select((e, i) => (e, i))
            .OrderBy(x => x.e.At)
            .ThenBy(x => x.e.Fault, StringComparer.Ordinal)
            .ThenBy(x => x.e.Target, StringComparer.Ordinal)
            .ThenBy(x => x.i)
            .Select(x => x.e)];
        Duration = duration;
    }

    /// <summary>A short name (incident files), or null.</summary>
    public string? Name { get; init; }

    /// <summary>What this schedule reproduces (incident files), or null.</summary>
    public string? Description { get; init; }

    /// <summary>The scenario it was generated for, or null.</summary>
    public string? Scenario { get; init; }

    /// <summary>The seed it was generated from, or null for a hand-written schedule.</summary>
    public long? Seed { get; init; }

    /// <summary>The length of the fault phase, or null when the schedule does not say.</summary>
    public TimeSpan? Duration { get; }

    /// <summary>The planned faults in time order.</summary>
    public IReadOnlyList<FaultScheduleEntry> Entries { get; }

    /// <inheritdoc/>
    public bool Equals(FaultSchedule? other) =>
        other is not null
        && Name == other.Name
        && Description == other.Description
        && Scenario == other.Scenario
        && Seed == other.Seed
        && Duration == other.Duration
        && Entries.SequenceEqual(other.Entries);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Scenario, Seed, Duration, Entries.Count);
}
