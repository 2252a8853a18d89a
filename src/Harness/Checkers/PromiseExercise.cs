namespace Chaos.Harness.Checkers;

/// <summary>Whether the history holds the observed events a promise needs before it can be said to hold
/// (docs/checkers.md, "When a promise is exercised"): <paramref name="Exercised"/>, whether the scenario
/// <paramref name="Required"/> it, and <paramref name="Detail"/> — what the history shows when exercised, why not
/// otherwise. Counted from the history's events alone.</summary>
public sealed record PromiseExercise(string Promise, bool Exercised, bool Required, string Detail);
