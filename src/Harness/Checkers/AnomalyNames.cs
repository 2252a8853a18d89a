namespace Chaos.Harness.Checkers;

/// <summary>The anomaly names of the contract (ARCHITECTURE.md section 7, docs/checkers.md), spelled as in results.json.</summary>
public static class AnomalyNames
{
    /// <summary>An acknowledged send never delivered to a device and absent from its final sync.</summary>
    public const string Lost = "lost";

    /// <summary>An acknowledged send in a device's final sync that was never delivered live.</summary>
    public const string Unseen = "unseen";

    /// <summary>The same id delivered to one device's app layer more than once.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>Delivered (or synced) but never sent to that user.</summary>
    public const string Unexpected = "unexpected";

    /// <summary>Delivered (or synced) although the send failed.</summary>
    public const string AbortedRead = "aborted-read";

    /// <summary>Informational: a send whose outcome was unknown and that was delivered.</summary>
    public const string Recovered = "recovered";

    /// <summary>A device received a seq lower than or equal to one it already received.</summary>
    public const string Nonmonotonic = "nonmonotonic";

    /// <summary>A device received seq n+k (k &gt; 1) while n+1..n+k-1 were never delivered before it.</summary>
    public const string Skip = "skip";

    /// <summary>One (user, seq) with two ids, or one id with two seqs for a user.</summary>
    public const string InconsistentSeq = "inconsistent-seq";

    /// <summary>Send A to u completed before send B to u was invoked, yet seq(B) &lt; seq(A).</summary>
    public const string OrderInversion = "order-inversion";

    /// <summary>A job's effect applied more than once (balance differs from the distinct applied transactions).</summary>
    public const string DoubleEffect = "double-effect";

    /// <summary>An acknowledged job in no terminal state after the drain.</summary>
    public const string LostJob = "lost-job";

    /// <summary>A dead-lettered job whose DLQ entry names no reason (added to section 7's list: "DLQ entries must each name a reason").</summary>
    public const string DlqWithoutReason = "dlq-without-reason";

    /// <summary>Job retries outside the backoff envelope.</summary>
    public const string RetryStorm = "retry-storm";

    /// <summary>Delivery latency percentiles above the scenario's thresholds.</summary>
    public const string LatencySlo = "latency-slo";

    /// <summary>Every name, in report order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Lost, Unseen, Duplicate, Unexpected, AbortedRead, Recovered, Nonmonotonic, Skip, InconsistentSeq,
        OrderInversion, DoubleEffect, LostJob, DlqWithoutReason, RetryStorm, LatencySlo,
    ];

    /// <summary>Anomalies that are informational by contract, with the reason.</summary>
    public static IReadOnlyDictionary<string, string> InformationalByDefault { get; } = new Dictionary<string, string>
    {
        [Recovered] = "a send whose outcome was unknown (info) may or may not have happened; that it arrived is allowed",
    };
}
