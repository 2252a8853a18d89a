using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>A checker: a pure function from a history to a verdict with anomalies and examples. It must not
/// mutate the history and must be linear (or n log n) in its length.</summary>
public interface ICheck
{
    /// <summary>The checker's name in reports.</summary>
    string Name { get; }

    /// <summary>Checks <paramref name="history"/> (events in index order).</summary>
    CheckResult Check(IReadOnlyList<HistoryEvent> history);
}
