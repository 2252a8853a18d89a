namespace Chaos.Harness.Faults.Schedule;

/// <summary>A scalar. <see cref="Quoted"/> is true for JSON strings and quoted YAML; Value is null for null.</summary>
internal sealed record SourceScalar(int Line, int Column, string? Value, bool Quoted) : SourceNode(Line, Column);
