using Chaos.Harness.Checkers;

namespace Chaos.Harness.Reports;

/// <summary>The promises a report lists (one junit test case each) and how a result maps onto them.</summary>
public static class Promises
{
    /// <summary>Every promise, in report order.</summary>
    public static IReadOnlyList<Promise> All { get; } =
    [
        new(PromiseNames.NoLoss, "No loss", "delivery", [AnomalyNames.Lost, AnomalyNames.Unseen, AnomalyNames.Forgotten]),
        new(PromiseNames.NoDuplicates, "No duplicates", "delivery", [AnomalyNames.Duplicate]),
        new(PromiseNames.OnlyWhatWasSent, "Delivers only what was sent", "delivery", [AnomalyNames.Unexpected, AnomalyNames.AbortedRead]),
        new(PromiseNames.PerUserOrdering, "Per-user ordering", "ordering",
            [AnomalyNames.Nonmonotonic, AnomalyNames.Skip, AnomalyNames.InconsistentSeq, AnomalyNames.OrderInversion]),
        new(PromiseNames.JobsExactlyOnce, "Jobs applied exactly once", "jobs", [AnomalyNames.DoubleEffect, AnomalyNames.LostJob, AnomalyNames.DlqWithoutReason, AnomalyNames.ExhaustedNotDeadLettered,
            AnomalyNames.DeadLetteredEarly, AnomalyNames.DlqRecordMissing]),
        new(PromiseNames.RetriesWithinBackoff, "Retries within the backoff envelope", "retries", [AnomalyNames.RetryStorm, AnomalyNames.RetryLate, AnomalyNames.RetryBudgetExceeded, AnomalyNames.AttemptMiscount, AnomalyNames.RetryAfterRefusal, AnomalyNames.ReconnectStorm, AnomalyNames.ReconnectLate], ["reconnects"]),
        new(PromiseNames.LatencySlo, "Delivery latency within SLO", "latency", [AnomalyNames.LatencySlo]),
        new(PromiseNames.Availability, "Requests accepted outside faults", AvailabilityCheck.CheckName, [AnomalyNames.Unavailable, AnomalyNames.NodeDown]),
    ];

    /// <summary>Judges every promise — broken (an error anomaly) &gt; undecided (its checker could not decide) &gt; not
    /// exercised (<see cref="CheckResult.Exercise"/>) &gt; held; anomalies of no known promise are gathered under an
    /// extra "other checks" one.</summary>
    public static IReadOnlyList<PromiseOutcome> Evaluate(CheckResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var outcomes = new List<PromiseOutcome>();
        var known = All.SelectMany(p => p.Anomalies).ToHashSet(StringComparer.Ordinal);
        var promises = All.ToList();
        var others = result.Anomalies.Values.Where(a => !known.Contains(a.Name) && !a.Informational).Select(a => a.Name).Order(StringComparer.Ordinal).ToList();
        var knownCheckers = All.SelectMany(p => p.Checkers).Append(ExerciseCheck.CheckName).ToHashSet(StringComparer.Ordinal);
        var otherCheckers = result.Checks.Keys.Where(c => !knownCheckers.Contains(c)).ToList();
        if (others.Count > 0 || otherCheckers.Count > 0)
        {
            promises.Add(new Promise("other-checks", "Other checks", otherCheckers.FirstOrDefault() ?? "", others));
        }

        foreach (var promise in promises)
        {
            var broken = promise.Anomalies
                .Select(n => result.Anomalies.GetValueOrDefault(n))
                .Where(a => a is { Informational: false, Count: > 0 })
                .Select(a => a!)
                .ToList();
            List<string> undecided = [];
            if (broken.Count == 0)
            {
                var checks = promise.Checkers.Select(c => result.Checks.GetValueOrDefault(c)).OfType<CheckResult>().ToList();
                if (checks.Count > 0)
                {
                    // a checker that found an anomaly of another promise may still not have decided this one
                    undecided.AddRange(checks.Where(c => c.Verdict == Verdict.Unknown || c.UnknownReasons.Count > 0).SelectMany(c => c.UnknownReasons));
                }
                else if (result.Checks.Count == 0 && result.Verdict == Verdict.Unknown)
                {
                    undecided.AddRange(result.UnknownReasons);
                }
            }

            var exercise = result.Exercise.GetValueOrDefault(promise.Name);
            var status = broken.Count > 0 ? PromiseStatus.Broken
                : undecided.Count > 0 ? PromiseStatus.Undecided
                : exercise is { Exercised: false } ? PromiseStatus.NotExercised
                : PromiseStatus.Held;
            outcomes.Add(new PromiseOutcome(promise, status, broken, undecided) { Exercise = exercise });
        }

        return outcomes;
    }
}
