using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>Runs several checkers and merges their results (Jepsen's <c>checker/compose</c>): Invalid &gt; Unknown &gt;
/// Valid; a checker that throws becomes Unknown with the exception's message, never Valid. Anomalies a scenario
/// declares informational (with a reason) are reported but do not make the verdict invalid.</summary>
public sealed class CompositeCheck : ICheck
{
    private readonly IReadOnlyList<ICheck> _checks;
    private readonly IReadOnlyDictionary<string, string> _informational;

    /// <summary>Composes <paramref name="checks"/>; <paramref name="informational"/> maps anomaly names to the reason
    /// they are informational in this scenario (<c>recovered</c> always is).</summary>
    public CompositeCheck(IEnumerable<ICheck> checks, IReadOnlyDictionary<string, string>? informational = null)
    {
        ArgumentNullException.ThrowIfNull(checks);
        _checks = [.. checks];
        var merged = new Dictionary<string, string>(AnomalyNames.InformationalByDefault, StringComparer.Ordinal);
        foreach (var (name, reason) in informational ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrWhiteSpace(reason))
            {
                throw new ArgumentException($"Anomaly '{name}' is declared informational without a reason.", nameof(informational));
            }

            merged[name] = reason;
        }

        _informational = merged;
    }

    /// <inheritdoc/>
    public string Name => "composite";

    /// <summary>The composed checkers.</summary>
    public IReadOnlyList<ICheck> Checks => _checks;

    /// <inheritdoc/>
    public CheckResult Check(IReadOnlyList<HistoryEvent> history)
    {
        var anomalies = new Dictionary<string, Anomaly>(StringComparer.Ordinal);
        var unknown = new List<string>();
        var counters = new Dictionary<string, long>(StringComparer.Ordinal);
        var checks = new Dictionary<string, CheckResult>(StringComparer.Ordinal);
        var exercise = new Dictionary<string, PromiseExercise>(StringComparer.Ordinal);
        var verdict = Verdict.Valid;

        // Checkers are pure functions of an immutable history: run them side by side, merge in declaration order.
        var results = new CheckResult[_checks.Count];
        Parallel.For(0, _checks.Count, i => results[i] = Run(_checks[i], history));
        for (var i = 0; i < _checks.Count; i++)
        {
            var check = _checks[i];
            var result = results[i];
            checks[check.Name] = result;
            verdict = (Verdict)Math.Max((int)verdict, (int)result.Verdict);
            unknown.AddRange(result.UnknownReasons.Select(r => $"{check.Name}: {r}"));
            foreach (var (promise, exercised) in result.Exercise)
            {
                exercise[promise] = exercised;
            }

            foreach (var (name, value) in result.Counters)
            {
                counters[name] = counters.GetValueOrDefault(name) + value;
            }

            foreach (var (name, anomaly) in result.Anomalies)
            {
                anomalies[name] = anomalies.TryGetValue(name, out var existing)
                    ? existing with
                    {
                        Count = existing.Count + anomaly.Count,
                        Examples = [.. existing.Examples.Concat(anomaly.Examples).Take(CheckResultBuilder.MaxExamples)],
                    }
                    : anomaly;
            }
        }

        return new CheckResult(verdict, anomalies, unknown, counters) { Checks = checks, Exercise = exercise };
    }

    private CheckResult Run(ICheck check, IReadOnlyList<HistoryEvent> history)
    {
        try
        {
            return Reclassify(check.Check(history));
        }
#pragma warning disable CA1031 // Any failure of a checker is an undecided verdict, by design (never valid).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return CheckResult.Unknown($"checker '{check.Name}' failed: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private CheckResult Reclassify(CheckResult result)
    {
        var anomalies = result.Anomalies.ToDictionary(
            pair => pair.Key,
            pair => _informational.TryGetValue(pair.Key, out var reason)
                ? pair.Value with { Informational = true, InformationalReason = reason }
                : pair.Value,
            StringComparer.Ordinal);

        // A checker may say Invalid without listing anomalies; that stands. Otherwise recompute with the declarations.
        var verdict = result.Verdict == Verdict.Invalid && result.Anomalies.Count == 0
            ? Verdict.Invalid
            : CheckResultBuilder.VerdictOf(anomalies.Values, result.UnknownReasons.Count > 0 || result.Verdict == Verdict.Unknown);
        return result with { Verdict = verdict, Anomalies = anomalies };
    }
}
