using Chaos.Harness.Checkers;

namespace Chaos.Harness.Reports;

/// <summary>A promise judged: its status, the anomalies that broke it (error ones), and why it is undecided.</summary>
public sealed record PromiseOutcome(Promise Promise, PromiseStatus Status, IReadOnlyList<Anomaly> Broken, IReadOnlyList<string> UndecidedBecause)
{
    /// <summary>Whether the history exercised the promise and whether the scenario required it; null when the result
    /// does not say (no exercise checker ran, or the "other checks" row).</summary>
    public PromiseExercise? Exercise { get; init; }

    /// <summary>Why the promise was not exercised; null when it was (or nothing says).</summary>
    public string? NotExercisedBecause => Exercise is { Exercised: false } e ? e.Detail : null;

    /// <summary>Whether the scenario required the history to exercise this promise.</summary>
    public bool Required => Exercise?.Required ?? false;
}
