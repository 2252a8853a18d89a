namespace Chaos.Reference.Faults;

/// <summary>Defect switches (off by default). Each re-creates a classic production bug; docs/reference-system.md says which.</summary>
internal static class DefectNames
{
    /// <summary>notifier: commits a batch's offsets before processing it; a crash mid-batch loses the rest.</summary>
    public const string CommitBeforeProcess = "commit-before-process";

    /// <summary>notifier: no business-key dedupe; a redelivered record gets a second sequence number.</summary>
    public const string NoDedupe = "no-dedupe";

    /// <summary>api: fan-out records published without a key; one user's records spread over partitions and consumers.</summary>
    public const string UnkeyedPartitioning = "unkeyed-partitioning";

    /// <summary>api: answers the sender before the message is durable; a crash loses acknowledged messages.</summary>
    public const string AckBeforePersist = "ack-before-persist";

    /// <summary>gateway: ignores the client's last sequence; a reconnecting device only gets new deliveries.</summary>
    public const string NoResume = "no-resume";

    /// <summary>client library: hands redelivered frames to the app again (a ChatClientOptions switch; named here for --defect lists).</summary>
    public const string ClientNoDedupe = "client-no-dedupe";

    /// <summary>jobs: retries at once, with no backoff or jitter; a failing dependency gets a retry storm.</summary>
    public const string RetryWithoutBackoff = "retry-without-backoff";

    /// <summary>jobs: balance change and idempotency record in separate transactions; a crash between them double-credits.</summary>
    public const string NonAtomicEffect = "non-atomic-effect";

    /// <summary>jobs: failed jobs are dropped (offset committed, nothing dead-lettered).</summary>
    public const string NoDlq = "no-dlq";

    public static readonly IReadOnlyList<string> All =
    [
        CommitBeforeProcess, NoDedupe, UnkeyedPartitioning, AckBeforePersist, NoResume, ClientNoDedupe,
        RetryWithoutBackoff, NonAtomicEffect, NoDlq,
    ];
}
