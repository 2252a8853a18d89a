namespace Chaos.Harness.Faults.Schedule;

/// <summary>
/// One fault a scenario may inject: its name, the targets it may hit (in a fixed order: the seed picks by
/// position), its relative weight, its duration range (both null: no duration), and parameter choices
/// (for each parameter name, the values the seed may pick from).
/// </summary>
public sealed record FaultMenuItem(
    string Fault,
    IReadOnlyList<string> Targets,
    double Weight = 1,
    TimeSpan? MinDuration = null,
    TimeSpan? MaxDuration = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Parameters = null);
