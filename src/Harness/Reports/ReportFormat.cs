using System.Globalization;
using Chaos.Harness.Checkers;
using Chaos.Harness.History;

namespace Chaos.Harness.Reports;

/// <summary>Shared formatting: durations, verdicts, event lookup.</summary>
internal static class ReportFormat
{
    public static string Ms(long nanoseconds) => (nanoseconds / 1e6).ToString("0.###", CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    public static string VerdictText(Verdict verdict) => verdict switch
    {
        Verdict.Valid => "valid",
        Verdict.Invalid => "invalid",
        _ => "unknown",
    };

    public static string StatusText(PromiseStatus status) => status switch
    {
        PromiseStatus.Held => "held",
        PromiseStatus.Broken => "BROKEN",
        PromiseStatus.NotExercised => "not exercised",
        _ => "undecided",
    };

    /// <summary>A status as results.json spells it: held, broken, undecided, not-exercised.</summary>
    public static string StatusName(PromiseStatus status) => status switch
    {
        PromiseStatus.Held => "held",
        PromiseStatus.Broken => "broken",
        PromiseStatus.NotExercised => "not-exercised",
        _ => "undecided",
    };

    /// <summary>What a report says beside a promise's status: its anomalies, why it is undecided, or why it was not
    /// exercised (and that the verdict is unknown for it when required).</summary>
    public static string Detail(PromiseOutcome outcome) =>
        outcome.Broken.Count > 0 ? string.Join(", ", outcome.Broken.Select(a => $"{a.Name}: {a.Count}"))
        : outcome.UndecidedBecause.Count > 0 ? string.Join("; ", outcome.UndecidedBecause)
        : outcome.NotExercisedBecause is { } why ? (outcome.Required ? $"required, so the verdict is unknown: {why}" : why)
        : "";

    /// <summary>Events by index (positions when the history is dense, a dictionary otherwise).</summary>
    public static Func<long, HistoryEvent?> Lookup(IReadOnlyList<HistoryEvent> history)
    {
        var dense = history.Count == 0 || (history[0].Index == 0 && history[^1].Index == history.Count - 1);
        if (dense)
        {
            return index => index >= 0 && index < history.Count ? history[(int)index] : null;
        }

        var byIndex = history.ToDictionary(e => e.Index);
        return index => byIndex.GetValueOrDefault(index);
    }

    /// <summary>Throughput per second over the run.</summary>
    public static double PerSecond(long count, long durationNs) => durationNs <= 0 ? 0 : count / (durationNs / 1e9);

    /// <summary>Ordered anomalies: contract names first, then any others.</summary>
    public static IEnumerable<Anomaly> Ordered(CheckResult result) =>
        result.Anomalies.Values.OrderBy(a => Rank(a.Name)).ThenBy(a => a.Name, StringComparer.Ordinal);

    private static int Rank(string name)
    {
        var rank = -1;
        for (var i = 0; i < AnomalyNames.All.Count; i++)
        {
            if (AnomalyNames.All[i] == name)
            {
                rank = i;
            }
        }

        return rank < 0 ? int.MaxValue : rank;
    }
}
