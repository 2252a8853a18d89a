namespace Chaos.Harness.Checkers;

/// <summary>Accumulates anomalies (counting all, keeping the first few examples), unknown reasons and counters.</summary>
internal sealed class CheckResultBuilder
{
    /// <summary>Examples kept per anomaly; the count covers every instance.</summary>
    public const int MaxExamples = 10;

    private readonly Dictionary<string, (long Count, List<AnomalyExample> Examples)> _anomalies = new(StringComparer.Ordinal);
    private readonly List<string> _unknown = [];
    private readonly Dictionary<string, long> _counters = new(StringComparer.Ordinal);

    public void Add(string anomaly, string explanation, params long[] events)
    {
        if (!_anomalies.TryGetValue(anomaly, out var entry))
        {
            entry = (0, []);
        }

        if (entry.Examples.Count < MaxExamples)
        {
            entry.Examples.Add(new AnomalyExample(events, explanation));
        }

        _anomalies[anomaly] = (entry.Count + 1, entry.Examples);
    }

    /// <summary>Adds when the example is wanted lazily (explanations cost string formatting on big histories).</summary>
    public void Add(string anomaly, Func<AnomalyExample> example)
    {
        if (!_anomalies.TryGetValue(anomaly, out var entry))
        {
            entry = (0, []);
        }

        if (entry.Examples.Count < MaxExamples)
        {
            entry.Examples.Add(example());
        }

        _anomalies[anomaly] = (entry.Count + 1, entry.Examples);
    }

    public void Unknown(string reason) => _unknown.Add(reason);

    public void Count(string counter, long value) => _counters[counter] = value;

    public CheckResult Build()
    {
        var anomalies = _anomalies.ToDictionary(
            pair => pair.Key,
            pair =>
            {
                var informational = AnomalyNames.InformationalByDefault.TryGetValue(pair.Key, out var reason);
                return new Anomaly(pair.Key, pair.Value.Count, pair.Value.Examples, informational, reason);
            },
            StringComparer.Ordinal);
        return new CheckResult(VerdictOf(anomalies.Values, _unknown.Count > 0), anomalies, _unknown, _counters);
    }

    public static Verdict VerdictOf(IEnumerable<Anomaly> anomalies, bool undecided) =>
        anomalies.Any(a => !a.Informational && a.Count > 0) ? Verdict.Invalid
        : undecided ? Verdict.Unknown
        : Verdict.Valid;
}
