namespace Chaos.Reference.Observability;

/// <summary>
/// One failure-handling branch of the reference system — a catch block, a retry or give-up, a refused commit, a
/// rebalance callback, a full queue, a dedupe hit, a gap fill — counted each time it runs, so a run can say which
/// failure paths its faults reached (docs/failure-paths.md). A probe, not a metric: the harness never judges the
/// system by these counts, it only learns where its scenarios went.
/// </summary>
internal sealed class FailurePath(string name, string role, string handles)
{
    private long _hits;

    /// <summary>The path's stable name, <c>role.area.what</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The role whose code holds the branch (<c>api</c>, <c>notifier</c>, <c>gateway</c>, <c>jobs</c>, or <c>any</c>).</summary>
    public string Role { get; } = role;

    /// <summary>What went wrong when this branch runs.</summary>
    public string Handles { get; } = handles;

    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Counts one run of the branch; lock-free, safe on any hot path.</summary>
    public void Hit() => Interlocked.Increment(ref _hits);
}

/// <summary>
/// Every failure path of the reference system, declared once: <see cref="FailurePathFile"/> writes them all, reached
/// or not, so the harness can list the unreached ones without knowing this code (docs/failure-paths.md).
/// </summary>
internal static class FailurePaths
{
    // Declared first: the static fields below register themselves in textual order.
    private static readonly List<FailurePath> Declared = [];

    public static IReadOnlyList<FailurePath> All => Declared;

    private static FailurePath Declare(string name, string role, string handles)
    {
        var path = new FailurePath(name, role, handles);
        if (Declared.Any(p => p.Name == path.Name))
        {
            throw new InvalidOperationException($"failure path '{name}' is declared twice");
        }

        Declared.Add(path);
        return path;
    }

    // The declarations, in one file: static initialisers of one type run in textual order only within a file.

    // every consumer role (notifier, jobs): the group's rebalance callbacks (Hosting/KafkaClients.cs)
    public static readonly FailurePath PartitionsAssigned = Declare("any.consumer.partitions-assigned", "any", "the group handed this consumer partitions: at its start, and again at every rebalance (a member joined, left or died)");
    public static readonly FailurePath PartitionsRevoked = Declare("any.consumer.partitions-revoked", "any", "a rebalance took this consumer's partitions away; uncommitted work is re-read by the next owner");
    public static readonly FailurePath PartitionsLost = Declare("any.consumer.partitions-lost", "any", "the consumer found itself evicted from the group (frozen or cut off past the session timeout)");

    // api: writes and the outbox relay
    public static readonly FailurePath ShedQueueFull = Declare("api.write.shed-queue-full", "api", "the group-commit write queue is full: the write is answered 429 with Retry-After, not persisted");
    public static readonly FailurePath ShedFanoutLimit = Declare("api.write.shed-fanout-limit", "api", "the fan-out rate limit is spent: the write is answered 429 with Retry-After, not persisted");
    public static readonly FailurePath IdempotentReplay = Declare("api.write.idempotent-replay", "api", "a client retried a write it had sent before: the stored result is answered, nothing is written twice");
    public static readonly FailurePath WriteBatchFailed = Declare("api.write.batch-failed", "api", "a group-commit transaction failed (database busy or gone): every write of the batch is answered as failed");
    public static readonly FailurePath WriteItemRolledBack = Declare("api.write.item-rolled-back", "api", "one write of a group commit failed and was rolled back to its savepoint; the others commit");
    public static readonly FailurePath BackgroundPersistFailed = Declare("api.write.background-persist-failed", "api", "a write acknowledged before it was persisted failed to persist (defect ack-before-persist)");
    public static readonly FailurePath OutboxProduceFailed = Declare("api.outbox.produce-failed", "api", "a produce of an outbox row failed: the rows from it on stay in the outbox, a new producer retries after a backoff");
    public static readonly FailurePath OutboxRelayError = Declare("api.outbox.relay-error", "api", "a pass of the outbox relay failed (database or Kafka): the lease is dropped and the pass retried");
    public static readonly FailurePath OutboxLeaseLost = Declare("api.outbox.lease-lost", "api", "this api held the relay lease and lost it (another instance took over after it stalled)");

    // notifier: fan-out records to inbox rows and deliveries
    public static readonly FailurePath NotifierRedelivered = Declare("notifier.batch.redelivered-record", "notifier", "a fan-out record was handled before (a crash or rebalance before its commit): its rows are found, not written twice");
    public static readonly FailurePath NotifierProduceFailed = Declare("notifier.deliveries.produce-failed", "notifier", "producing the batch's deliveries failed: nothing committed, the batch is rewound and read again with a new producer");
    public static readonly FailurePath NotifierStorageFailed = Declare("notifier.batch.storage-failed", "notifier", "the store refused the batch's transaction (busy, locked, connection dropped): rolled back, rewound, read again");
    public static readonly FailurePath NotifierRewindFailed = Declare("notifier.batch.rewind-failed", "notifier", "a rewind could not seek a partition (no longer assigned): its new owner reads it from the last commit");
    public static readonly FailurePath NotifierConsumeError = Declare("notifier.consume.error", "notifier", "a non-fatal consume error (broker gone, leader moved): logged, consuming goes on");
    public static readonly FailurePath NotifierCommitRefused = Declare("notifier.commit.refused", "notifier", "an offset commit was refused (rebalance in progress, coordinator moved): the next owner re-reads and dedupe absorbs it");
    public static readonly FailurePath NotifierFatal = Declare("notifier.worker.fatal", "notifier", "the worker loop failed for good: the process exits 1 for its supervisor");

    // gateway: device connections and the delivery backplane
    public static readonly FailurePath GatewayClientTimeout = Declare("gateway.hub.client-timeout", "gateway", "a device fell silent past the client timeout (asleep, network gone): its connection is dropped");
    public static readonly FailurePath GatewayResume = Declare("gateway.pump.resume", "gateway", "a device came back with a stored sequence: everything after it is read from the durable inbox first");
    public static readonly FailurePath GatewayGapFill = Declare("gateway.pump.gap-fill", "gateway", "a live delivery arrived ahead of the device's cursor: the gap is read from the durable inbox before it");
    public static readonly FailurePath GatewayStaleDelivery = Declare("gateway.pump.stale-delivery-dropped", "gateway", "a live delivery at or below the device's cursor (a re-produced delivery, or one the resume already sent) is dropped");
    public static readonly FailurePath GatewayBacklogFull = Declare("gateway.pump.backlog-full", "gateway", "a device's pump was so far behind that its queue of live deliveries was full: later ones are not queued but read from the durable inbox once it catches up");
    public static readonly FailurePath GatewayStalledReader = Declare("gateway.pump.stalled-reader", "gateway", "a push to a device was not written within the send timeout (the device stopped reading): its connection is closed and the device resumes when it reconnects");
    public static readonly FailurePath GatewayPumpFailed = Declare("gateway.pump.failed", "gateway", "a pump could not read the durable inbox (the store refused, a connection dropped, too many clients): its connection is closed, so the device reconnects and resumes on a new pump instead of staying connected and fed nothing");
    public static readonly FailurePath GatewayBackplaneStartRetried = Declare("gateway.backplane.start-retried", "gateway", "the backplane could not read the deliveries topic's partitions or end offsets at start (no broker answered: a gateway restarted during a broker outage): it tries again until the cluster answers, and the instance is not ready until then");
    public static readonly FailurePath GatewayBackplaneConsumeError = Declare("gateway.backplane.consume-error", "gateway", "a non-fatal consume error on the deliveries backplane: logged, consuming goes on");

    // jobs: job records to one downstream call per attempt and one credit
    public static readonly FailurePath JobsConsumeError = Declare("jobs.consume.error", "jobs", "a non-fatal consume error: logged, consuming goes on");
    public static readonly FailurePath JobsInvalidPayload = Declare("jobs.handle.invalid-payload", "jobs", "a poison job record (malformed or invalid): dead-lettered with the reason, never called");
    public static readonly FailurePath JobsRedeliveredFinished = Declare("jobs.handle.redelivered-finished-job", "jobs", "a job already done or dead-lettered was delivered again: nothing is called or applied");
    public static readonly FailurePath JobsResumedRetry = Declare("jobs.handle.resumed-retry", "jobs", "a job part-way through its retries was delivered again: its budget and backoff continue from the stored attempts");
    public static readonly FailurePath JobsRefusedOnRedelivery = Declare("jobs.handle.refused-on-redelivery", "jobs", "a redelivered job had been refused for good by the downstream (its dead-letter record refused, or the worker died before it): dead-lettered again without another call");
    public static readonly FailurePath JobsBudgetSpentOnRedelivery = Declare("jobs.handle.budget-spent-on-redelivery", "jobs", "a redelivered job had already spent its attempt budget: dead-lettered without another call");
    public static readonly FailurePath JobsStorageFailed = Declare("jobs.handle.storage-failed", "jobs", "the store refused the job's transaction (busy, locked, connection dropped): not committed, sought back and read again");
    public static readonly FailurePath JobsDeadLetterProduceFailed = Declare("jobs.dead-letter.produce-failed", "jobs", "Kafka refused a dead-letter record: the job is not marked dead, not committed, sought back and dead-lettered again");
    public static readonly FailurePath JobsSeekFailed = Declare("jobs.handle.seek-back-failed", "jobs", "seeking back after a storage or dead-letter failure failed (partition moved): the new owner reads it from the last commit");
    public static readonly FailurePath JobsCommitRefused = Declare("jobs.commit.refused", "jobs", "an offset commit was refused: the job is read again by the next owner and found done");
    public static readonly FailurePath JobsRetry = Declare("jobs.attempt.retry", "jobs", "an attempt failed transiently and the retry policy waits its backoff for the next");
    public static readonly FailurePath JobsTransient = Declare("jobs.attempt.transient-failure", "jobs", "the downstream failed an attempt transiently (5xx, 429, unreachable, timeout)");
    public static readonly FailurePath JobsPermanent = Declare("jobs.attempt.permanent-failure", "jobs", "the downstream refused an attempt for good (4xx): no retry");
    public static readonly FailurePath JobsDownstreamUnreachable = Declare("jobs.downstream.unreachable", "jobs", "the downstream could not be reached (connection refused or reset)");
    public static readonly FailurePath JobsDownstreamTimeout = Declare("jobs.downstream.timeout", "jobs", "the downstream did not answer within the call timeout");
    public static readonly FailurePath JobsBudgetExhausted = Declare("jobs.dead-letter.budget-exhausted", "jobs", "every attempt of the budget failed transiently (or another delivery spent it): dead-lettered with the reason");
    public static readonly FailurePath JobsDeadLetterPermanent = Declare("jobs.dead-letter.permanent", "jobs", "a permanent refusal: dead-lettered with the downstream's reason");
    public static readonly FailurePath JobsAlreadyApplied = Declare("jobs.effect.already-applied", "jobs", "the credit's idempotency record was already there (a concurrent or earlier delivery applied it): not applied twice");
    public static readonly FailurePath JobsFatal = Declare("jobs.worker.fatal", "jobs", "the worker loop failed for good: the process exits 1 for its supervisor");
}
