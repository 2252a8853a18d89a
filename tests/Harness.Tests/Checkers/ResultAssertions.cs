using Chaos.Harness.Checkers;

namespace Chaos.Harness.Tests.Checkers;

/// <summary>Exact assertions on a checker's result: the whole anomaly set, each count and each example's events — a
/// test that plants one anomaly fails when the checker finds another, finds it twice, or cites other events.</summary>
internal static class ResultAssertions
{
    /// <summary>The anomalies are exactly <paramref name="expected"/>: the same names, counts and, example by example,
    /// the same events in the same order.</summary>
    public static void ShouldHaveExactly(this CheckResult result, params ExpectedAnomaly[] expected)
    {
        result.Anomalies.Keys.Should().BeEquivalentTo(expected.Select(e => e.Name), "the exact set of anomalies found");
        foreach (var anomaly in expected)
        {
            var found = result.Anomalies[anomaly.Name];
            found.Count.Should().Be(anomaly.Count, $"the number of {anomaly.Name} anomalies");
            found.Examples.Select(e => e.Events.ToArray()).Should().BeEquivalentTo(anomaly.Events, o => o.WithStrictOrdering(), $"the events each {anomaly.Name} example cites");
            found.Examples.Should().OnlyContain(e => e.Explanation.Length > 0);
        }
    }

    /// <summary>No anomaly at all, informational ones included.</summary>
    public static void ShouldHaveNoAnomalies(this CheckResult result) =>
        result.Anomalies.Should().BeEmpty("nothing was planted: {0}", string.Join("; ", result.Anomalies.Values.Select(a => $"{a.Name} ×{a.Count}")));
}
