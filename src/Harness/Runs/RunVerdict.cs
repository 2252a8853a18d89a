using Chaos.Harness.Checkers;

namespace Chaos.Harness.Runs;

/// <summary>
/// How what went wrong with a run itself combines with what the checkers found in its history. The one rule: a run
/// can only pass when it was carried out as planned, and only anomalies seen in a run that was carried out (even if
/// its faults did not all take effect) count as a broken promise.
/// </summary>
public static class RunVerdict
{
    /// <summary>
    /// <paramref name="result"/> with the run's problems added to its reasons: a run that failed or was aborted
    /// (<paramref name="failure"/>) is unknown whatever the checkers found, since its partial history may lack the
    /// events that would explain an anomaly; otherwise any problem (faults that did not take effect, a drain that did
    /// not finish) turns valid into unknown and leaves invalid invalid, with the reason noted.
    /// </summary>
    public static CheckResult Settle(CheckResult result, string? failure, IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(problems);
        List<string> reasons = failure is null ? [.. problems] : [failure, .. problems];
        if (reasons.Count == 0)
        {
            return result;
        }

        var verdict = failure is not null || result.Verdict == Verdict.Valid ? Verdict.Unknown : result.Verdict;
        return result with { Verdict = verdict, UnknownReasons = [.. result.UnknownReasons, .. reasons] };
    }
}
