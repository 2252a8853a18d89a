namespace Chaos.Harness.History;

/// <summary>A history line that cannot be read: names its 1-based line number and what is wrong.</summary>
public sealed class HistoryFormatException : Exception
{
    /// <summary>Creates the error for <paramref name="lineNumber"/>.</summary>
    public HistoryFormatException(long lineNumber, string problem)
        : base($"line {lineNumber}: {problem}")
    {
        LineNumber = lineNumber;
        Problem = problem;
    }

    /// <summary>The 1-based line number.</summary>
    public long LineNumber { get; }

    /// <summary>What is wrong with the line.</summary>
    public string Problem { get; }
}
