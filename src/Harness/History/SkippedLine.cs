namespace Chaos.Harness.History;

/// <summary>A malformed line a lenient reader skipped.</summary>
public readonly record struct SkippedLine(long LineNumber, string Problem);
