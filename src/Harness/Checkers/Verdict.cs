namespace Chaos.Harness.Checkers;

/// <summary>A checker's verdict. Ordered so that merging takes the maximum: Invalid &gt; Unknown &gt; Valid.</summary>
public enum Verdict
{
    /// <summary>Every promise the checker knows held.</summary>
    Valid = 0,

    /// <summary>The checker could not decide (drain unfinished, log truncated, checker crashed).</summary>
    Unknown = 1,

    /// <summary>At least one anomaly that is an error was found.</summary>
    Invalid = 2,
}
