namespace Chaos.Harness.Checkers;

/// <summary>What a checker decided: the verdict, the anomalies (name → anomaly), why it could not decide (if so),
/// counters (what it saw) and, for a composite, each sub-checker's result.</summary>
public sealed record CheckResult(
    Verdict Verdict,
    IReadOnlyDictionary<string, Anomaly> Anomalies,
    IReadOnlyList<string> UnknownReasons,
    IReadOnlyDictionary<string, long> Counters)
{
    /// <summary>Sub-checker results of a composite, by checker name.</summary>
    public IReadOnlyDictionary<string, CheckResult> Checks { get; init; } = new Dictionary<string, CheckResult>();

    /// <summary>Whether each promise was exercised, by promise name (<see cref="PromiseNames"/>); empty when no
    /// checker said (<see cref="ExerciseCheck"/> does).</summary>
    public IReadOnlyDictionary<string, PromiseExercise> Exercise { get; init; } = new Dictionary<string, PromiseExercise>();

    /// <summary>A result saying the checker could not decide.</summary>
    public static CheckResult Unknown(string reason) =>
        new(Verdict.Unknown, new Dictionary<string, Anomaly>(), [reason], new Dictionary<string, long>());

    /// <summary>The count of an anomaly (0 when absent).</summary>
    public long Count(string anomaly) => Anomalies.TryGetValue(anomaly, out var found) ? found.Count : 0;
}
