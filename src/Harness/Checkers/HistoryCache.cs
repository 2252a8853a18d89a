using System.Runtime.CompilerServices;
using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>Derived data of one history (send table, latency analysis) built once and shared by the checkers and
/// reports of one run. Keyed weakly on the list instance and re-built if the list changed since.</summary>
internal static class HistoryCache<T>
    where T : class
{
    private static readonly ConditionalWeakTable<IReadOnlyList<HistoryEvent>, Entry> Entries = new();

    // Checkers run in parallel: the first to ask builds, the others wait rather than build it again.
    private static readonly Lock Gate = new();

    public static T Get(IReadOnlyList<HistoryEvent> history, Func<IReadOnlyList<HistoryEvent>, T> build)
    {
        lock (Gate)
        {
            return GetLocked(history, build);
        }
    }

    private static T GetLocked(IReadOnlyList<HistoryEvent> history, Func<IReadOnlyList<HistoryEvent>, T> build)
    {
        var count = history.Count;
        var last = count > 0 ? history[count - 1] : null;
        if (Entries.TryGetValue(history, out var entry) && entry.Count == count && ReferenceEquals(entry.Last, last))
        {
            return entry.Value;
        }

        var value = build(history);
        Entries.AddOrUpdate(history, new Entry(value, count, last));
        return value;
    }

    private sealed record Entry(T Value, int Count, HistoryEvent? Last);
}
