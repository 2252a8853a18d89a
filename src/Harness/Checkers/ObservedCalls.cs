using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>
/// The calls the harness's downstream provider received (<c>f = "call"</c>), per job, in arrival order: the count of a
/// job's attempts as the harness observed it, independent of the attempt numbers the system stamps (docs/checkers.md).
/// </summary>
internal sealed class ObservedCalls
{
    private readonly Dictionary<string, List<Call>> _byJob = new(StringComparer.Ordinal);

    private ObservedCalls()
    {
    }

    /// <summary>Whether the history holds any observed call. Without one the run had no outside provider (or the
    /// history comes from elsewhere): the checkers then fall back to the stamped attempts.</summary>
    public bool Any => Total > 0;

    public long Total { get; private set; }

    public long Failed { get; private set; }

    public IEnumerable<KeyValuePair<string, List<Call>>> ByJob => _byJob;

    public IReadOnlyList<Call> Of(string job) => _byJob.TryGetValue(job, out var calls) ? calls : [];

    public static ObservedCalls From(IReadOnlyList<HistoryEvent> history)
    {
        var observed = new ObservedCalls();
        foreach (var e in history)
        {
            if (e.Op is not CallValue call || e.Type != HistoryEventType.Ok)
            {
                continue;
            }

            if (!observed._byJob.TryGetValue(call.Job, out var calls))
            {
                observed._byJob[call.Job] = calls = [];
            }

            calls.Add(new Call(e.Index, e.Time, call.Attempt, call.Succeeded, call.Outcome == CallValue.Refused, call.Status, call.HeldMs ?? 0));
            observed.Total++;
            if (!call.Succeeded)
            {
                observed.Failed++;
            }
        }

        // the provider records calls as they arrive, so index order is arrival order; a merged or hand-made history may not be
        foreach (var calls in observed._byJob.Values)
        {
            calls.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Index.CompareTo(b.Index));
        }

        return observed;
    }

    /// <summary>One observed call: its event, when it arrived, the attempt number the caller claimed (if any), whether
    /// the provider accepted it, whether it refused it for good (a 422: not to be retried), the status it answered, and
    /// how long the provider held it before answering (ms).</summary>
    internal readonly record struct Call(long Index, long Time, int? ClaimedAttempt, bool Succeeded, bool Refused = false, int? Status = null, long HeldMs = 0)
    {
        /// <summary>When the provider's answer left (ns): the arrival plus the hold.</summary>
        public long Answered => HeldMs > (long.MaxValue - Math.Max(Time, 0)) / 1_000_000 ? long.MaxValue : Time + (HeldMs * 1_000_000); // saturates: a history is input
    }
}
