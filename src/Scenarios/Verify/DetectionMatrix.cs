namespace Chaos.Scenarios.Verify;

/// <summary>
/// Which scenario must expose which defect of the reference system, and with which anomaly classes — the proof that
/// a passing run means something (docs/defects.md tells the production story behind each).
/// </summary>
internal static class DetectionMatrix
{
    public static IReadOnlyList<Expectation> Expectations { get; } =
    [
        new("commit-before-process", "consumer-kill-mid-batch", ["lost", "unseen"]),
        new("non-atomic-effect", "consumer-kill-mid-batch", ["double-effect"]),
        new("no-dedupe", "duplicate-replay", ["duplicate", "inconsistent-seq"]),
        new("unkeyed-partitioning", "kafka-rebalance", ["order-inversion"]),
        new("ack-before-persist", "service-crash", ["lost", "unseen"]),
        new("no-resume", "websocket-cut", ["lost", "unseen", "skip"]),
        new("client-no-dedupe", "websocket-cut", ["duplicate"]),
        new("retry-without-backoff", "job-retry-storm", ["retry-storm"]),
        new("no-dlq", "job-retry-storm", ["lost-job", "exhausted-not-dead-lettered"]),
    ];

    /// <summary>A defect, the scenario that must catch it, and the anomaly classes that count as catching it.</summary>
    internal sealed record Expectation(string Defect, string Scenario, IReadOnlyList<string> Anomalies);
}
