namespace Chaos.Harness.Tests.Checkers;

/// <summary>An anomaly a test expects: its name, how many instances, and the events each example cites, in order.</summary>
internal sealed record ExpectedAnomaly(string Name, long Count, params long[][] Events);
