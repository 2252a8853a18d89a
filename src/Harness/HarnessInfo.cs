namespace Chaos.Harness;

/// <summary>Facts about the harness build.</summary>
public static class HarnessInfo
{
    /// <summary>The version of the history format this harness reads and writes.</summary>
    public const int HistoryFormatVersion = 1;
}
