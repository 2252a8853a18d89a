namespace Chaos.Harness.History;

/// <summary>How a reader treats a malformed line.</summary>
public enum HistoryReadMode
{
    /// <summary>A malformed line is a <see cref="HistoryFormatException"/>.</summary>
    Strict,

    /// <summary>A malformed line is skipped and counted.</summary>
    Lenient,
}
