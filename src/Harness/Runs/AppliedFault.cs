namespace Chaos.Harness.Runs;

/// <summary>One fault the nemesis applied (or tried to): times in history ns.</summary>
public sealed class AppliedFault(string id, string name, string target, TimeSpan? plannedAt, long invokedAt)
{
    public string Id { get; } = id;

    public string Name { get; } = name;

    public string Target { get; } = target;

    /// <summary>Offset from the start of the fault phase at which the schedule planned it.</summary>
    public TimeSpan? PlannedAt { get; } = plannedAt;

    public long InvokedAt { get; } = invokedAt;

    public long? AppliedAt { get; internal set; }

    public long? HealedAt { get; internal set; }

    /// <summary>Why it could not be applied; null when it was.</summary>
    public string? Error { get; internal set; }

    public bool TookHold => Error is null && AppliedAt is not null;
}
