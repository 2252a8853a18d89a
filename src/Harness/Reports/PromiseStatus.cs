namespace Chaos.Harness.Reports;

/// <summary>Whether a promise held.</summary>
public enum PromiseStatus
{
    /// <summary>No anomaly of the promise was found and its checker decided.</summary>
    Held,

    /// <summary>An anomaly of the promise was found.</summary>
    Broken,

    /// <summary>Its checker could not decide (drain unfinished, log truncated, checker failed).</summary>
    Undecided,
}
