namespace Chaos.Harness.Faults.Schedule;

/// <summary>
/// One planned fault: at <see cref="At"/> (from the start of the fault phase) apply <see cref="Fault"/> to
/// <see cref="Target"/>, and heal it after <see cref="Duration"/> (null: an instantaneous fault such as a kill,
/// or one healed at the end of the phase).
/// </summary>
public sealed record FaultScheduleEntry
{
    private static readonly IReadOnlyDictionary<string, string> NoParameters = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Creates an entry; parameters are copied and kept sorted by name (ordinal).</summary>
    public FaultScheduleEntry(TimeSpan at, string fault, string target, TimeSpan? duration = null, IReadOnlyDictionary<string, string>? parameters = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(at, TimeSpan.Zero);
        ArgumentException.ThrowIfNullOrWhiteSpace(fault);
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        if (duration is { } d)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(d, TimeSpan.Zero, nameof(duration));
        }

        At = at;
        Fault = fault;
        Target = target;
        Duration = duration;
        Parameters = parameters is null || parameters.Count == 0
            ? NoParameters
            : new SortedDictionary<string, string>(parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), StringComparer.Ordinal);
    }

    /// <summary>Offset from the start of the fault phase.</summary>
    public TimeSpan At { get; }

    /// <summary>The fault's name in the scenario's catalogue, e.g. <c>process-kill</c>.</summary>
    public string Fault { get; }

    /// <summary>What the fault hits, e.g. <c>notifier-1</c>.</summary>
    public string Target { get; }

    /// <summary>How long before the heal; null when the fault has no duration.</summary>
    public TimeSpan? Duration { get; }

    /// <summary>Fault-specific settings, sorted by name.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }

    /// <summary>When the fault is healed, or null.</summary>
    public TimeSpan? HealAt => At + Duration;

    /// <inheritdoc/>
    public bool Equals(FaultScheduleEntry? other) =>
        other is not null
        && At == other.At
        && Fault == other.Fault
        && Target == other.Target
        && Duration == other.Duration
        && Parameters.Count == other.Parameters.Count
        && Parameters.All(p => other.Parameters.TryGetValue(p.Key, out var v) && v == p.Value);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(At, Fault, Target, Duration, Parameters.Count);
}
