namespace Chaos.Harness.History;

/// <summary>A known op's value lacks a field or has one of the wrong type (the reader adds the line number).</summary>
internal sealed class HistoryValueException(string message) : Exception(message);
