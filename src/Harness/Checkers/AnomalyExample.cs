namespace Chaos.Harness.Checkers;

/// <summary>One instance of an anomaly: the history events (by index) that prove it and a one-line explanation.</summary>
public sealed record AnomalyExample(IReadOnlyList<long> Events, string Explanation);
