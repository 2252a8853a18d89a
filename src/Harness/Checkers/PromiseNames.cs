namespace Chaos.Harness.Checkers;

/// <summary>The promises a run is judged on, spelled as in results.json, junit.xml and <c>requiredPromises</c>
/// (docs/checkers.md, "Promises in reports" and "When a promise is exercised").</summary>
public static class PromiseNames
{
    /// <summary>Every acknowledged send reaches every device of its recipients (lost, unseen).</summary>
    public const string NoLoss = "no-loss";

    /// <summary>No device's app layer sees a message twice (duplicate).</summary>
    public const string NoDuplicates = "no-duplicates";

    /// <summary>Only what was sent to a user reaches it, never a failed send (unexpected, aborted-read).</summary>
    public const string OnlyWhatWasSent = "only-what-was-sent";

    /// <summary>Each user's messages in one order (nonmonotonic, skip, inconsistent-seq, order-inversion).</summary>
    public const string PerUserOrdering = "per-user-ordering";

    /// <summary>Each acknowledged job's effect applied exactly once (double-effect, lost-job, dlq-without-reason).</summary>
    public const string JobsExactlyOnce = "jobs-exactly-once";

    /// <summary>Job retries and device reconnects inside their backoff envelopes (retry-storm, reconnect-storm, ...).</summary>
    public const string RetriesWithinBackoff = "retries-within-backoff";

    /// <summary>Delivery latency within the scenario's SLOs (latency-slo).</summary>
    public const string LatencySlo = "latency-slo";

    /// <summary>While no fault is active, the system accepts what its clients ask (unavailable).</summary>
    public const string Availability = "availability";

    /// <summary>Every promise, in report order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [NoLoss, NoDuplicates, OnlyWhatWasSent, PerUserOrdering, JobsExactlyOnce, RetriesWithinBackoff, LatencySlo, Availability];

    /// <summary>The delivery promises: what a history is required to exercise when nothing else is said
    /// (<see cref="CheckOptions.RequiredPromises"/>'s default, <c>chaos check</c> on a foreign history).</summary>
    public static IReadOnlyList<string> Delivery { get; } = [NoLoss, NoDuplicates, OnlyWhatWasSent, PerUserOrdering];

    /// <summary>Whether <paramref name="name"/> is one of <see cref="All"/>.</summary>
    public static bool IsKnown(string name) => All.Contains(name, StringComparer.Ordinal);
}
