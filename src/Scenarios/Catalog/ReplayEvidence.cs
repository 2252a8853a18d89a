namespace Chaos.Scenarios.Catalog;

/// <summary>
/// What a duplicate-replay run observed after its fault phase, from outside the system: the copies the harness itself
/// appended, and how far each group's committed offsets are behind the topic's high watermarks taken when the fault
/// phase ended (every copy below them), read from Kafka — so "every copy was consumed" is Kafka's word, not the system's. Whether a copy was recognised as a duplicate is the
/// checkers' question (a copy handled as new is a duplicate delivery or a second credit), so the system's own
/// dedupe counts are shown and never judged — and the check holds on a system with the <c>no-dedupe</c> defect too.
/// </summary>
internal sealed record ReplayEvidence
{
    public long FanoutReplayed { get; init; }

    public long JobsReplayed { get; init; }

    /// <summary>Fan-out records appended by the end of the fault phase (replayed copies included) the notifier group has not consumed and committed.</summary>
    public long FanoutBehind { get; init; }

    /// <summary>Job records appended by the end of the fault phase the jobs group has not consumed and committed.</summary>
    public long JobsBehind { get; init; }

    /// <summary>The notifiers' own count of records they recognised as handled before (shown, not judged).</summary>
    public long NotifierDedupeHits { get; init; }

    /// <summary>The jobs workers' own count (shown, not judged).</summary>
    public long JobsDedupeHits { get; init; }

    public string? Explain()
    {
        var missing = new List<string>();
        if (FanoutReplayed <= 0)
        {
            missing.Add("no fan-out record was replayed");
        }
        else if (FanoutBehind > 0)
        {
            missing.Add($"the notifier group had not consumed {FanoutBehind} of the fan-out records appended by the end of the fault phase, {FanoutReplayed} replayed copies among them");
        }

        if (JobsReplayed > 0 && JobsBehind > 0)
        {
            missing.Add($"{JobsReplayed} job records were replayed but the jobs group had not consumed {JobsBehind} of those appended by the end of the fault phase");
        }

        return missing.Count == 0 ? null : string.Join("; ", missing);
    }
}
