namespace Chaos.Harness.Faults.Schedule;

/// <summary>A sequence/array.</summary>
internal sealed record SourceSequence(int Line, int Column, IReadOnlyList<SourceNode> Items) : SourceNode(Line, Column);
