namespace Chaos.Harness.Faults.Schedule;

/// <summary>A mapping/object, keys in file order.</summary>
internal sealed record SourceMapping(int Line, int Column, IReadOnlyList<SourceMappingEntry> Entries) : SourceNode(Line, Column);
