using Chaos.Harness.Checkers;

namespace Chaos.Harness.Reports;

/// <summary>A promise judged: its status, the anomalies that broke it (error ones), and why it is undecided.</summary>
public sealed record PromiseOutcome(Promise Promise, PromiseStatus Status, IReadOnlyList<Anomaly> Broken, IReadOnlyList<string> UndecidedBecause);
