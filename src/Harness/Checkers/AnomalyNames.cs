namespace Chaos.Harness.Checkers;

/// <summary>The anomaly names of the contract (docs/architecture.md section 7, docs/checkers.md), spelled as in results.json.</summary>
public static class AnomalyNames
{
    /// <summary>An acknowledged send never delivered to a device and absent from its final sync.</summary>
    public const string Lost = "lost";

    /// <summary>An acknowledged send in a device's final sync that was never delivered live.</summary>
    public const string Unseen = "unseen";

    /// <summary>Delivered live to a device but absent from its final sync: the durable inbox forgot what a device was
    /// shown, so another device, a reinstall or a resume from it never sees it (added to section 7's list: the gap
    /// docs/checkers.md named, "an inbox that forgets delivered items").</summary>
    public const string Forgotten = "forgotten";

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

    /// <summary>A job whose observed calls (all failed) reached its attempt budget, yet which was not dead-lettered
    /// after the drain (added to section 7's list: issue 11, "exhausts it and is not dead-lettered").</summary>
    public const string ExhaustedNotDeadLettered = "exhausted-not-dead-lettered";

    /// <summary>A job the system reports dead-lettered of which the dead-letter topic, read from Kafka by the harness at
    /// the drain, holds no record: the system's word that the job was handed on is not borne out (added to section 7's
    /// list: issue 11, "trust nothing the system says").</summary>
    public const string DlqRecordMissing = "dlq-record-missing";

    /// <summary>A job dead-lettered after fewer calls than its attempt budget, each failed with a status the caller may
    /// retry and none refused, while no fault could have hidden an attempt from the harness's provider: a transient
    /// failure taken for a refusal (added to section 7's list: issue 11, found by the mutation score).</summary>
    public const string DeadLetteredEarly = "dead-lettered-early";

    /// <summary>Job retries outside the backoff envelope.</summary>
    public const string RetryStorm = "retry-storm";

    /// <summary>A job's retry came later than its backoff policy's longest delay (plus a tolerance) after the previous
    /// call's answer, measured on the calls the harness's provider observed, while no fault that could hide or delay a
    /// call was near (added to section 7's list: issue 11, found by the mutation score — a backoff four times too slow
    /// broke no other rule).</summary>
    public const string RetryLate = "retry-late";

    /// <summary>A job called the downstream more times than its attempt budget allows, counted from the calls the
    /// harness's provider observed (added to section 7's list: issue 11, "exceeds its declared attempt budget").</summary>
    public const string RetryBudgetExceeded = "retry-budget-exceeded";

    /// <summary>The system's own count of a job's attempts (claimed in its calls or stamped in its records) is below the
    /// calls the harness's provider observed: its budget cannot hold (added to section 7's list: issue 11).</summary>
    public const string AttemptMiscount = "attempt-miscount";

    /// <summary>The downstream provider received a call for a job after it had refused one of the job's calls for good
    /// (a 422, not to be retried), counted from the calls the harness's provider observed (added to section 7's list:
    /// issue 11, "a refused job must not be retried").</summary>
    public const string RetryAfterRefusal = "retry-after-refusal";

    /// <summary>A device's client made many connection attempts in a row, each sooner after the one before than its
    /// backoff allows, counted from the attempts the harness observed (added to section 7's list: issue 11, found by
    /// the mutation score — a reconnect backoff that shrinks instead of growing broke no other rule).</summary>
    public const string ReconnectStorm = "reconnect-storm";

    /// <summary>A device's client began a reconnect attempt later after its previous one than its backoff's longest pause
    /// (plus a tolerance), counted from the attempts the harness observed, with no device fault near (added to section
    /// 7's list: issue 11, found by the mutation score — jitter that stretched every pause broke no other rule).</summary>
    public const string ReconnectLate = "reconnect-late";

    /// <summary>Delivery latency percentiles above the scenario's thresholds.</summary>
    public const string LatencySlo = "latency-slo";

    /// <summary>While no fault was active, the system turned away (fail or info) more of one kind of request than the
    /// budget allows, counted from the harness's own invokes and completions (added to section 7's list: issue 11, found
    /// by the mutation score — an api refusing every chat send broke no safety rule).</summary>
    public const string Unavailable = "unavailable";

    /// <summary>A node of the system did not come back: a restart's new incarnation exited before it was ready or never
    /// became ready, or the node was down once the run's faults were healed and its work drained (added to section 7's
    /// list: issue 12 — a gateway that exited at its restart during a broker outage made the run unknown, as if the
    /// harness had failed).</summary>
    public const string NodeDown = "node-down";

    /// <summary>Every name, in report order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Lost, Unseen, Forgotten, Duplicate, Unexpected, AbortedRead, Recovered, Nonmonotonic, Skip, InconsistentSeq,
        OrderInversion, DoubleEffect, LostJob, DlqWithoutReason, ExhaustedNotDeadLettered, DeadLetteredEarly, DlqRecordMissing, RetryStorm,
        RetryLate, RetryBudgetExceeded, AttemptMiscount, RetryAfterRefusal, ReconnectStorm, ReconnectLate, LatencySlo, Unavailable, NodeDown,
    ];

    /// <summary>Anomalies that are informational by contract, with the reason.</summary>
    public static IReadOnlyDictionary<string, string> InformationalByDefault { get; } = new Dictionary<string, string>
    {
        [Recovered] = "a send whose outcome was unknown (info) may or may not have happened; that it arrived is allowed",
    };
}
