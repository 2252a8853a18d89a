namespace Chaos.Harness.Reports;

/// <summary>Whether a promise held. Precedence when several apply: Broken &gt; Undecided &gt; NotExercised &gt; Held.</summary>
public enum PromiseStatus
{
    /// <summary>No anomaly of the promise was found, its checker decided, and the history exercised it.</summary>
    Held,

    /// <summary>An anomaly of the promise was found.</summary>
    Broken,

    /// <summary>Its checker could not decide (drain unfinished, log truncated, checker failed).</summary>
    Undecided,

    /// <summary>The history holds none of the events the promise needs (no send, no device, no job, no SLO set…):
    /// it was not tested. The verdict is unknown when the scenario required it; otherwise it is shown and the verdict
    /// stands (docs/checkers.md, "When a promise is exercised").</summary>
    NotExercised,
}
