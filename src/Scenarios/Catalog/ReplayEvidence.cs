namespace Chaos.Scenarios.Catalog;

/// <summary>
/// What a duplicate-replay run observed after its fault phase. The notifier's consumption is counted whether or not it
/// deduplicates (processed + recognised duplicates), so the check holds on a system with the <c>no-dedupe</c> defect
/// too: there the checkers, not this, must fail the run.
/// </summary>
internal sealed record ReplayEvidence
{
    public long FanoutReplayed { get; init; }

    public long JobsReplayed { get; init; }

    /// <summary>Records the fan-out topic holds, replayed copies included (sum of high watermarks).</summary>
    public long FanoutRecords { get; init; }

    /// <summary>Fan-out records the notifiers handled: processed plus recognised as duplicates.</summary>
    public long NotifierHandled { get; init; }

    public long NotifierDedupeHits { get; init; }

    public long JobsDedupeHits { get; init; }

    public string? Explain()
    {
        var missing = new List<string>();
        if (FanoutReplayed <= 0)
        {
            missing.Add("no fan-out record was replayed");
        }
        else if (NotifierHandled < FanoutRecords)
        {
            missing.Add($"the notifiers handled {NotifierHandled} of the {FanoutRecords} fan-out records (replayed copies not all consumed)");
        }

        if (JobsReplayed > 0 && JobsDedupeHits < 1)
        {
            missing.Add($"{JobsReplayed} job records were replayed but no jobs worker recognised one as already done");
        }

        return missing.Count == 0 ? null : string.Join("; ", missing);
    }
}
