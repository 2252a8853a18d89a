namespace Chaos.Harness.History;

/// <summary>A whole history in memory, with what a lenient read skipped.</summary>
public sealed record HistoryReadResult(IReadOnlyList<HistoryEvent> Events, long SkippedCount, IReadOnlyList<SkippedLine> Skipped);
