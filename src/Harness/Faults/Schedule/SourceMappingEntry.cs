namespace Chaos.Harness.Faults.Schedule;

/// <summary>A key (with its position) and its value.</summary>
internal sealed record SourceMappingEntry(string Key, int Line, int Column, SourceNode Value);
