using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>
/// Job retries against the <see cref="RetryEnvelope"/>, counted from what the harness observed: the calls its downstream
/// provider received (<c>f = "call"</c>), not the attempt numbers the jobs worker stamps.
/// <list type="bullet">
/// <item>retry-storm: a job's next call sooner than the policy allows after its previous one, or many retries in the
/// same instant;</item>
/// <item>retry-late: a job's next call later than the policy's longest delay (plus a tolerance) after its previous
/// call's answer, while no fault that could hide or delay a call was near;</item>
/// <item>retry-budget-exceeded: more calls for a job than its attempt budget (or a stamped attempt number beyond it);</item>
/// <item>attempt-miscount: the worker's own count of a job's attempts — the numbers it claims in its calls, or stamps
/// in its records — is lower than the calls the provider saw (a count restarted on a redelivery, or calls not counted);</item>
/// <item>retry-after-refusal: the provider received a call for a job after it had refused one of the job's calls for
/// good (a 422: declined, not to be retried) — judged by the provider's own answers, whatever the worker recorded.</item>
/// </list>
/// A history with no observed call at all (no outside provider, or one from elsewhere) is judged on the stamped
/// attempts (<c>f = "attempt"</c>) alone, as before the provider existed. docs/checkers.md has the rules.
/// </summary>
public sealed class RetryStormCheck : ICheck
{
    private const int MaxEvidence = 20;
    private readonly RetryEnvelope _envelope;

    /// <summary>Checks against <paramref name="envelope"/> (defaults: only synchronised retries are checked).</summary>
    public RetryStormCheck(RetryEnvelope? envelope = null)
    {
        _envelope = envelope ?? new RetryEnvelope();
        _envelope.Validate();
    }

    /// <inheritdoc/>
    public string Name => "retries";

    /// <inheritdoc/>
    public CheckResult Check(IReadOnlyList<HistoryEvent> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var result = new CheckResultBuilder();
        var observed = ObservedCalls.From(history);
        var stamped = new Dictionary<string, List<Stamp>>(StringComparer.Ordinal);
        var states = new Dictionary<string, (string State, long Index)>(StringComparer.Ordinal);
        long attempts = 0;
        foreach (var e in history)
        {
            switch (e.Op)
            {
                case AttemptValue attempt when e.Type != HistoryEventType.Fail:
                    attempts++;
                    if (!stamped.TryGetValue(attempt.Id, out var stamps))
                    {
                        stamped[attempt.Id] = stamps = [];
                    }

                    stamps.Add(new Stamp(attempt.Attempt, e.Time, e.Index));
                    break;
                case JobStateValue state:
                    states[state.Id] = (state.State, e.Index);
                    break;
            }
        }

        var retries = new List<(long Time, long Index)>();
        var late = new Lateness(_envelope, observed.Any ? LatencyAnalysis.For(history).Timeline.FaultWindows : []);
        if (observed.Any)
        {
            foreach (var (job, calls) in observed.ByJob)
            {
                var stamps = stamped.GetValueOrDefault(job) ?? [];
                CheckSpacing(job, calls.Select(c => (c.Time, c.Index)).ToList(), result, "the downstream provider received call", "call");
                retries.AddRange(calls.Skip(1).Select(c => (c.Time, c.Index)));
                late.Check(job, calls, result);
                CheckBudget(job, calls, stamps, result);
                CheckCount(job, calls, stamps, states.TryGetValue(job, out var state) ? state : null, result);
                CheckNoRetryAfterRefusal(job, calls, result);
            }

            // a job the provider never saw may still have stamped itself beyond its budget
            foreach (var (job, stamps) in stamped.Where(s => observed.Of(s.Key).Count == 0))
            {
                CheckBudget(job, [], stamps, result);
            }
        }
        else
        {
            foreach (var (job, stamps) in stamped)
            {
                CheckBudget(job, [], stamps, result);
                CheckStampedSpacing(job, stamps, result);
                retries.AddRange(stamps.Where(s => s.Attempt >= 2).Select(s => (s.Time, s.Index)));
            }
        }

        CheckSynchronised(retries, result);
        result.Count("attempts", attempts);
        result.Count("retries", retries.Count);
        result.Count("downstream-calls", observed.Total);
        result.Count("downstream-calls-failed", observed.Failed);
        if (_envelope.BaseDelay is not null && observed.Any)
        {
            result.Count("retry-gaps-judged-late", late.Judged);
            result.Count("retry-gaps-excused-by-fault", late.Excused);
        }
        return result.Build();
    }

    /// <summary>Attempt n+1 no sooner than BaseDelay × Multiplier^(n−1) × (1 − Jitter) after attempt n.</summary>
    private void CheckSpacing(string job, List<(long Time, long Index)> attempts, CheckResultBuilder result, string what, string noun)
    {
        if (_envelope.BaseDelay is not { } baseDelay)
        {
            return;
        }

        for (var k = 1; k < attempts.Count; k++)
        {
            var (previous, current) = (attempts[k - 1], attempts[k]);
            var minimumNs = MinimumGapNs(baseDelay, k);
            var gap = current.Time - previous.Time;
            if (gap < minimumNs)
            {
                var n = k;
                result.Add(AnomalyNames.RetryStorm, () => new AnomalyExample(
                    [previous.Index, current.Index],
                    $"job {job}: {what} {n + 1} {Ms(gap)} after {noun} {n}; the policy allows no sooner than {Ms((long)minimumNs)}"));
            }
        }
    }

    /// <summary>Without observed calls: the stamped attempts, each compared with the job's previous lower-numbered one.</summary>
    private void CheckStampedSpacing(string job, List<Stamp> stamps, CheckResultBuilder result)
    {
        if (_envelope.BaseDelay is not { } baseDelay)
        {
            return;
        }

        Stamp? last = null;
        foreach (var stamp in stamps)
        {
            if (last is { } previous && stamp.Attempt > previous.Attempt)
            {
                var n = previous.Attempt;
                var minimumNs = MinimumGapNs(baseDelay, n);
                var gap = stamp.Time - previous.Time;
                if (gap < minimumNs)
                {
                    result.Add(AnomalyNames.RetryStorm, () => new AnomalyExample(
                        [previous.Index, stamp.Index],
                        $"job {job} retried {Ms(gap)} after attempt {n}; the policy allows no sooner than {Ms((long)minimumNs)}"));
                }
            }

            last = stamp;
        }
    }

    private double MinimumGapNs(TimeSpan baseDelay, int attempt) =>
        Math.Min(_envelope.MaxDelay?.TotalNanoseconds ?? double.MaxValue, baseDelay.TotalNanoseconds * Math.Pow(_envelope.Multiplier, attempt - 1) * (1 - _envelope.Jitter));

    /// <summary>
    /// retry-late: call n+1 of a job arriving later than call n's answer (its arrival plus the provider's hold) plus the
    /// policy's longest delay after attempt n (<c>min(MaxDelay, BaseDelay × Multiplier^(n−1))</c>: jitter only shortens
    /// it) plus <see cref="RetryEnvelope.LateTolerance"/>. A retry may be late for reasons that are not the policy's —
    /// attempts the provider never saw between the two (a worker killed after its reservation, a provider that was
    /// unreachable), a redelivery after a rebalance, a worker paused or starved, a machine swamped by a load spike — and
    /// each needs a fault, so a gap is judged only when no fault that could hide a call (<see cref="JobsCheck.CanHideCalls"/>)
    /// and no load shape (<c>fanout</c>, <c>burst</c>) came near it (<see cref="JobsCheck.Near"/>). No number the worker
    /// claims or stamps is used. One anomaly per job, at the gap that passed its bound by the most.
    /// </summary>
    private sealed class Lateness(RetryEnvelope envelope, IReadOnlyList<FaultWindow> faults)
    {
        private static readonly HashSet<string> LoadShapes = new(StringComparer.Ordinal) { "fanout", "burst" };
        private readonly List<FaultWindow> _excusing = [.. faults.Where(f => JobsCheck.CanHideCalls(f) || LoadShapes.Contains(f.Fault))];

        public long Judged { get; private set; }

        public long Excused { get; private set; }

        public void Check(string job, IReadOnlyList<ObservedCalls.Call> calls, CheckResultBuilder result)
        {
            if (envelope.BaseDelay is not { } baseDelay)
            {
                return;
            }

            (int N, long Over, long Allowed)? worst = null;
            for (var k = 1; k < calls.Count; k++)
            {
                var (previous, current) = (calls[k - 1], calls[k]);
                if (previous.Succeeded || previous.Refused)
                {
                    continue; // not a retry: after an acceptance or a refusal no call is owed at all (other rules judge it)
                }

                if (_excusing.Any(f => JobsCheck.Near(f, previous.Time, current.Time)))
                {
                    Excused++;
                    continue;
                }

                Judged++;
                var longest = Math.Min(envelope.MaxDelay?.TotalNanoseconds ?? double.MaxValue, baseDelay.TotalNanoseconds * Math.Pow(envelope.Multiplier, k - 1));
                var allowed = (long)Math.Min(long.MaxValue / 2, longest + envelope.LateTolerance.TotalNanoseconds);
                var over = (double)current.Time - previous.Answered - allowed; // in double: a history's times are input
                if (over > 0 && (worst is null || over > worst.Value.Over))
                {
                    worst = (k, (long)over, allowed);
                }
            }

            if (worst is { } w)
            {
                var (previous, current) = (calls[w.N - 1], calls[w.N]);
                var gap = current.Time - previous.Answered;
                result.Add(AnomalyNames.RetryLate, () => new AnomalyExample(
                    [previous.Index, current.Index],
                    $"job {job}: the downstream provider received call {w.N + 1} {Ms(gap)} after answering call {w.N}"
                    + (previous.HeldMs > 0 ? $" (held {previous.HeldMs} ms)" : "")
                    + $"; the policy waits at most {Ms((long)(w.Allowed - envelope.LateTolerance.TotalNanoseconds))} (+{Ms((long)envelope.LateTolerance.TotalNanoseconds)} tolerance), and no fault that could hide or delay a call was near"));
            }
        }
    }

    /// <summary>One retry-budget-exceeded per job: more observed calls than the budget, else a stamped attempt beyond it.</summary>
    private void CheckBudget(string job, IReadOnlyList<ObservedCalls.Call> calls, List<Stamp> stamps, CheckResultBuilder result)
    {
        if (_envelope.MaxAttempts is not { } budget)
        {
            return;
        }

        var highest = stamps.Count == 0 ? 0 : stamps.Max(s => s.Attempt);
        if (calls.Count > budget)
        {
            result.Add(AnomalyNames.RetryBudgetExceeded, () => new AnomalyExample(
                [.. calls.Take(MaxEvidence).Select(c => c.Index)],
                $"job {job}: the downstream provider received {calls.Count} calls, beyond the budget of {budget} attempts"
                + (stamps.Count > 0 ? $" (the worker's own attempt numbers go up to {highest})" : "")));
        }
        else if (highest > budget)
        {
            var beyond = stamps.First(s => s.Attempt > budget);
            result.Add(AnomalyNames.RetryBudgetExceeded, () => new AnomalyExample(
                [beyond.Index], $"job {job} made attempt {beyond.Attempt}, beyond the retry budget of {budget}"));
        }
    }

    /// <summary>
    /// attempt-miscount: the worker's count of a job's attempts is below the calls the provider saw. Two statements are
    /// checked: the attempt numbers claimed in the calls (by the k-th call, k distinct attempts must have been claimed,
    /// so the highest claim is at least k), and the stamped attempts the drain read (their highest number must cover
    /// every call received before the drain read the job; only for a job in a terminal state, which calls no more).
    /// </summary>
    private static void CheckCount(string job, IReadOnlyList<ObservedCalls.Call> calls, List<Stamp> stamps, (string State, long Index)? state, CheckResultBuilder result)
    {
        var claimedShortAt = -1;
        var highestClaim = 0;
        if (calls.All(c => c.ClaimedAttempt is not null))
        {
            for (var k = 0; k < calls.Count; k++)
            {
                highestClaim = Math.Max(highestClaim, calls[k].ClaimedAttempt!.Value);
                if (highestClaim < k + 1)
                {
                    claimedShortAt = k;
                    break;
                }
            }
        }

        var stampedShort = false;
        var highestStamp = stamps.Count == 0 ? 0 : stamps.Max(s => s.Attempt);
        var before = 0;
        if (state is { } read && JobStates.IsTerminal(read.State))
        {
            before = calls.Count(c => c.Index < read.Index);
            stampedShort = before > highestStamp;
        }

        if (claimedShortAt < 0 && !stampedShort)
        {
            return;
        }

        var events = new SortedSet<long>();
        var parts = new List<string>();
        if (claimedShortAt >= 0)
        {
            foreach (var call in calls.Take(Math.Min(claimedShortAt + 1, MaxEvidence)))
            {
                events.Add(call.Index);
            }

            parts.Add($"its call {claimedShortAt + 1} at the provider claimed attempt {calls[claimedShortAt].ClaimedAttempt}, and no call before it claimed more than {highestClaim}");
        }

        if (stampedShort)
        {
            foreach (var call in calls.Where(c => c.Index < state!.Value.Index).Take(MaxEvidence - Math.Min(events.Count, MaxEvidence)))
            {
                events.Add(call.Index);
            }

            if (stamps.Count > 0)
            {
                events.Add(stamps.First(s => s.Attempt == highestStamp).Index);
            }

            events.Add(state!.Value.Index);
            parts.Add($"the provider received {before} calls before the drain read the job, yet the worker's stamped attempts go up to {highestStamp}");
        }

        result.Add(AnomalyNames.AttemptMiscount, () => new AnomalyExample(
            [.. events], $"job {job}: {string.Join("; ", parts)} — the worker's count of attempts restarted or missed calls"));
    }

    /// <summary>retry-after-refusal, once per job: the first call the provider refused for good, and every call after it.</summary>
    private static void CheckNoRetryAfterRefusal(string job, IReadOnlyList<ObservedCalls.Call> calls, CheckResultBuilder result)
    {
        var refused = -1;
        for (var k = 0; k < calls.Count; k++)
        {
            if (calls[k].Refused)
            {
                refused = k;
                break;
            }
        }

        if (refused < 0 || refused == calls.Count - 1)
        {
            return;
        }

        var after = calls.Count - refused - 1;
        result.Add(AnomalyNames.RetryAfterRefusal, () => new AnomalyExample(
            [.. calls.Skip(refused).Take(MaxEvidence).Select(c => c.Index)],
            $"job {job}: the downstream provider refused its call {refused + 1} for good (a 422: not to be retried), yet received {after} more call{(after == 1 ? "" : "s")} for it after that"));
    }

    /// <summary>Synchronised retries: a sliding window over retry start times (n log n for the sort).</summary>
    private void CheckSynchronised(List<(long Time, long Index)> retries, CheckResultBuilder result)
    {
        retries.Sort();
        var window = (long)_envelope.SyncWindow.TotalNanoseconds;
        var start = 0;
        for (var end = 0; end < retries.Count; end++)
        {
            while (retries[end].Time - retries[start].Time > window)
            {
                start++;
            }

            var count = end - start + 1;
            if (count >= _envelope.SyncThreshold && (end + 1 == retries.Count || retries[end + 1].Time - retries[start].Time > window))
            {
                var from = start;
                result.Add(AnomalyNames.RetryStorm, () => new AnomalyExample(
                    [.. retries.Skip(from).Take(Math.Min(count, MaxEvidence)).Select(r => r.Index)],
                    $"{count} retries started within {Ms(retries[end].Time - retries[from].Time)} of each other (threshold {_envelope.SyncThreshold} within {Ms(window)}): not spread by jittered backoff"));
                start = end + 1;
            }
        }
    }

    private static string Ms(long nanoseconds) => $"{nanoseconds / 1e6:0.###} ms";

    private readonly record struct Stamp(int Attempt, long Time, long Index);
}
