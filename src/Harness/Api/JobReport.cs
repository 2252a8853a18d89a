using Chaos.Harness.History;

namespace Chaos.Harness.Api;

/// <summary>
/// A job as the system reports it: its state in the history's terms (<see cref="JobStates"/>: done, dead-lettered,
/// or another, not terminal), why it was dead-lettered, and the processing attempts the system stamped (null when it
/// reports none). These are the system's own numbers: the checkers cross-check them against what the harness
/// observed (docs/checkers.md).
/// </summary>
public sealed record JobReport(string State, string? Reason, IReadOnlyList<JobAttemptReport>? Attempts)
{
    /// <summary>Done or dead-lettered: nothing more will happen to it.</summary>
    public bool IsTerminal => JobStates.IsTerminal(State);
}
