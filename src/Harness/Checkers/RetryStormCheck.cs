using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>retry-storm: job attempts (<c>f = "attempt"</c>) outside the <see cref="RetryEnvelope"/> — a retry sooner
/// than the policy allows, beyond the retry budget, or many retries in the same instant.</summary>
public sealed class RetryStormCheck : ICheck
{
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
        var last = new Dictionary<string, (int Attempt, long Time, long Index)>(StringComparer.Ordinal);
        var retries = new List<(long Time, long Index)>();
        long attempts = 0;
        foreach (var e in history)
        {
            if (e.Op is not AttemptValue attempt || e.Type == HistoryEventType.Fail)
            {
                continue;
            }

            attempts++;
            if (attempt.Attempt >= 2)
            {
                retries.Add((e.Time, e.Index));
            }

            if (_envelope.MaxAttempts is { } budget && attempt.Attempt == budget + 1)
            {
                result.Add(AnomalyNames.RetryStorm, () => new AnomalyExample(
                    [e.Index], $"job {attempt.Id} made attempt {attempt.Attempt}, beyond the retry budget of {budget}"));
            }

            if (last.TryGetValue(attempt.Id, out var previous) && _envelope.BaseDelay is { } baseDelay && attempt.Attempt > previous.Attempt)
            {
                var n = previous.Attempt;
                var minimumNs = baseDelay.TotalNanoseconds * Math.Pow(_envelope.Multiplier, n - 1) * (1 - _envelope.Jitter);
                var gap = e.Time - previous.Time;
                if (gap < minimumNs)
                {
                    result.Add(AnomalyNames.RetryStorm, () => new AnomalyExample(
                        [previous.Index, e.Index],
                        $"job {attempt.Id} retried {Ms(gap)} after attempt {n}; the policy allows no sooner than {Ms((long)minimumNs)}"));
                }
            }

            last[attempt.Id] = (attempt.Attempt, e.Time, e.Index);
        }

        // Synchronised retries: a sliding window over retry start times (n log n for the sort).
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
                    [.. retries.Skip(from).Take(Math.Min(count, 20)).Select(r => r.Index)],
                    $"{count} retries started within {Ms(retries[end].Time - retries[from].Time)} of each other (threshold {_envelope.SyncThreshold} within {Ms(window)}): not spread by jittered backoff"));
                start = end + 1;
            }
        }

        result.Count("attempts", attempts);
        result.Count("retries", retries.Count);
        return result.Build();
    }

    private static string Ms(long nanoseconds) => $"{nanoseconds / 1e6:0.###} ms";
}
