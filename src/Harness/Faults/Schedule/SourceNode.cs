namespace Chaos.Harness.Faults.Schedule;

/// <summary>A parsed YAML or JSON value with the 1-based line and column it came from, so errors can name them.</summary>
internal abstract record SourceNode(int Line, int Column);
