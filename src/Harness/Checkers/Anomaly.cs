namespace Chaos.Harness.Checkers;

/// <summary>An anomaly class found in a history: how many instances, the first few as examples, and whether it is
/// informational (reported, but not an error) with the reason.</summary>
public sealed record Anomaly(
    string Name,
    long Count,
    IReadOnlyList<AnomalyExample> Examples,
    bool Informational = false,
    string? InformationalReason = null);
