using System.Data.Common;
using Chaos.Reference.Faults;
using Chaos.Reference.Hosting;
using Chaos.Reference.Messaging;
using Chaos.Reference.Observability;
using Chaos.Reference.Storage;
using Confluent.Kafka;
using Polly;
using Polly.Retry;

namespace Chaos.Reference.Jobs;

/// <summary>
/// The jobs consume loop. Per record: validate (a permanent error dead-letters at once), call the downstream under a
/// Polly retry (exponential backoff with jitter), apply the credit and its idempotency record in one transaction, then
/// commit the offset. Every attempt is stored with its timestamp (GET /jobs/{key}) before the call is made, and the
/// attempt budget is the job's across deliveries: a redelivered job continues its count and its backoff.
/// </summary>
internal sealed partial class JobsWorker(Store store, KafkaClients kafka, SystemOptions options, Failpoints failpoints, IDownstream downstream,
    TimeProvider time, SystemMetrics metrics, ReadinessState readiness, IHostApplicationLifetime lifetime, ILogger<JobsWorker> logger) : BackgroundService
{
    private readonly Random _jitter = new(options.Seed ^ 0x5EED);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();

    /// <summary>How the store records an attempt the downstream refused for good; the rest is the refusal's message.</summary>
    private const string PermanentOutcome = "permanent: ";

    /// <summary>Attempts a job made before this delivery (a redelivery continues the job's count, it does not restart it).</summary>
    private static readonly ResiliencePropertyKey<int> AttemptsBefore = new("refsys.attempts-before");

    private int Budget => options.JobRetries + 1;

    private ResiliencePipeline BuildRetry()
    {
        var noBackoff = options.Has(DefectNames.RetryWithoutBackoff);
        return new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                // RetryBudgetSpentException (the job's last allowed attempt failed) is not handled: no pointless wait
                ShouldHandle = new PredicateBuilder().Handle<TransientDownstreamException>(),
                MaxRetryAttempts = options.JobRetries,
                BackoffType = noBackoff ? DelayBackoffType.Constant : DelayBackoffType.Exponential,
                Delay = noBackoff ? TimeSpan.Zero : TimeSpan.FromMilliseconds(options.JobRetryBaseMs),
                MaxDelay = TimeSpan.FromSeconds(10),
                // The delay after the job's attempt n, n counted over all its deliveries (see RetryDelayMs).
                DelayGenerator = noBackoff ? null : args =>
                    ValueTask.FromResult<TimeSpan?>(TimeSpan.FromMilliseconds(RetryDelayMs(args.Context.Properties.GetValue(AttemptsBefore, 0) + args.AttemptNumber + 1))),
                OnRetry = _ =>
                {
                    FailurePaths.JobsRetry.Hit();
                    metrics.Retries.Add(1);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>
    /// "Equal jitter": after attempt n wait base·2^(n−1)·(1 − 0.5·u), u uniform in [0,1), at most 10 s. Polly's built-in
    /// jitter (decorrelated, V2) can wait arbitrarily close to zero; this one keeps a floor of half the exponential
    /// delay, so the harness's retry envelope (docs/checkers.md, retry-storm) is exact for the correct system.
    /// </summary>
    private double RetryDelayMs(int attempt)
    {
        if (options.Has(DefectNames.RetryWithoutBackoff))
        {
            return 0;
        }

        double u;
        lock (_jitter)
        {
            u = _jitter.NextDouble();
        }

        var exponential = options.JobRetryBaseMs * Math.Pow(2, attempt - 1);
        return Math.Min(10_000, exponential * (1 - (0.5 * u)));
    }

    private async Task Run(CancellationToken stoppingToken)
    {
        var retry = BuildRetry();
        var producer = kafka.CreateProducer("jobs-dlq");
        var storageBackoff = new FailureBackoff();
        using var consumer = kafka.CreateGroupConsumer(options.Topics.Group("jobs"));
        consumer.Subscribe(options.Topics.Jobs);
        readiness.MarkReady();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                ConsumeResult<string?, string>? result;
                try
                {
                    result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                }
                catch (ConsumeException e) when (!e.Error.IsFatal)
                {
                    FailurePaths.JobsConsumeError.Hit();
                    LogConsumeError(logger, e, e.Error.Reason);
                    continue;
                }

                if (result?.Message is null)
                {
                    continue;
                }

                try
                {
                    await HandleAsync(result.Message.Value, retry, producer, stoppingToken);
                    storageBackoff.Reset();
                }
                catch (Exception e) when (e is DbException or ProduceException<string?, string>)
                {
                    if (e is DbException)
                    {
                        // The store refused (SQLITE_BUSY past the busy timeout; a dropped PostgreSQL connection): the
                        // job's transaction rolled back and its offset is not committed; it is read again after a wait.
                        // This used to end the process (storage-lock held past the busy timeout stopped a jobs worker).
                        FailurePaths.JobsStorageFailed.Hit();
                        LogStorageFailed(logger, e, e.Message);
                    }
                    else
                    {
                        // Kafka refused the dead-letter record (an ACL removed, an outage past message.timeout.ms): the
                        // job is not yet dead in the store (DeadLetterAsync writes the record first), its offset is not
                        // committed, and it is read again after a wait and dead-lettered again. This used to end the
                        // process after the store had marked the job dead, so the redelivery skipped it as finished
                        // and its dead-letter record was never written (docs/failure-paths.md).
                        // A new producer, as the notifier and the relay take one (docs/reference-system.md, "Produce and
                        // storage failures"): librdkafka keeps a refused topic in an error state until its next metadata
                        // refresh, minutes away, and the retry would be refused by the client itself.
                        FailurePaths.JobsDeadLetterProduceFailed.Hit();
                        LogDeadLetterRefused(logger, e, ((ProduceException<string?, string>)e).Error.Reason);
                        producer.Dispose();
                        producer = kafka.CreateProducer("jobs-dlq");
                    }

                    try
                    {
                        consumer.Seek(result.TopicPartitionOffset);
                    }
                    catch (KafkaException seek)
                    {
                        FailurePaths.JobsSeekFailed.Hit();
                        LogCommitFailed(logger, seek, "seek back: " + seek.Error.Reason);
                    }

                    await Task.Delay(storageBackoff.Next(), time, stoppingToken);
                    continue;
                }

                if (!options.Has(DefectNames.NonAtomicEffect))
                {
                    // (with non-atomic-effect the point is inside the effect, between the credit and its idempotency
                    // record: one hit per job either way, so a failpoint's hit count means the same job on both systems)
                    await failpoints.HitAsync("jobs.after-effect-before-commit", stoppingToken);
                }

                try
                {
                    consumer.Commit([new TopicPartitionOffset(result.TopicPartition, result.Offset + 1)]);
                }
                catch (KafkaException e)
                {
                    FailurePaths.JobsCommitRefused.Hit();
                    LogCommitFailed(logger, e, e.Error.Reason);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            FailurePaths.JobsFatal.Hit();
            LogFatal(logger, e);
            Environment.ExitCode = 1; // a crash, for whatever supervises the process
            lifetime.StopApplication();
        }
        finally
        {
            consumer.Close();
            producer.Dispose();
        }
    }

    private async Task HandleAsync(string payload, ResiliencePipeline retry, IProducer<string?, string> producer, CancellationToken ct)
    {
        JobRecord? job = null;
        try
        {
            job = Json.Deserialize<JobRecord>(payload);
        }
        catch (System.Text.Json.JsonException)
        {
        }

        var invalid = job switch
        {
            null => "invalid payload: not a job record (malformed JSON)",
            { Key: null or "" } => "invalid payload: missing key",
            { Account: null or "" } => "invalid payload: missing account",
            { TransactionId: null or "" } => "invalid payload: missing transactionId",
            { Amount: <= 0 } => $"invalid payload: amount must be positive (got {job.Amount})",
            { Amount: > 1_000_000_000 } => $"invalid payload: amount exceeds 1000000000 (got {job.Amount})",
            _ => null,
        };
        if (invalid is not null)
        {
            FailurePaths.JobsInvalidPayload.Hit();
            await DeadLetterAsync(job?.Key is { Length: > 0 } k ? k : null, invalid, payload, producer, ct);
            return;
        }

        var key = job!.Key!;
        var credit = job;
        var existing = await store.GetJobAsync(key, ct);
        if (existing is { State: "done" or "dead" })
        {
            FailurePaths.JobsRedeliveredFinished.Hit();
            metrics.Duplicates.Add(1);
            metrics.Redelivered.Add(1);
            return;
        }

        // A refusal for good is final: a redelivery after one (its dead-letter record refused by Kafka, or the worker
        // stopped before dead-lettering) dead-letters the job again and never calls the downstream a second time. This
        // used to fall through to the resumed retry below and call again (docs/reference-system.md, "Produce and storage
        // failures"; caught by the retry-after-refusal check).
        if (existing?.Attempts.FirstOrDefault(a => a.Outcome.StartsWith(PermanentOutcome, StringComparison.Ordinal)) is { } refused)
        {
            FailurePaths.JobsRefusedOnRedelivery.Hit();
            await DeadLetterAsync(key, refused.Outcome[PermanentOutcome.Length..] + " (found on redelivery)", payload, producer, ct);
            return;
        }

        // The budget is the job's, not this delivery's: a redelivery (after a crash, a rebalance, a zombie's
        // partitions moving) continues from the attempts the store holds, and first waits the backoff the last one asks.
        var before = existing is { Attempts.Count: > 0 } ? existing.Attempts.Max(a => a.Attempt) : 0;
        if (before >= Budget)
        {
            FailurePaths.JobsBudgetSpentOnRedelivery.Hit();
            await DeadLetterAsync(key, $"retry budget exhausted after {before} attempts (found on redelivery)", payload, producer, ct);
            return;
        }

        if (before > 0)
        {
            FailurePaths.JobsResumedRetry.Hit();
            var wait = existing!.Attempts.Max(a => a.AtMs) + (long)RetryDelayMs(before) - time.GetUtcNow().ToUnixTimeMilliseconds();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait), time, ct);
            }
        }

        var attempt = before;
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(AttemptsBefore, before);
        try
        {
            await retry.ExecuteAsync(async ctx =>
            {
                var token = ctx.CancellationToken;
                var at = time.GetUtcNow().ToUnixTimeMilliseconds();
                // write-ahead: the attempt is counted before it is spent, so a crash mid-call cannot hand out a fresh budget
                attempt = await store.ReserveAttemptAsync(key, Budget, at, options.Instance, token)
                    ?? throw new RetryBudgetSpentException(attempt, "another delivery of this job spent the rest of the budget");
                try
                {
                    await downstream.CallAsync(new DownstreamCall(key, credit.TransactionId!, credit.Account!, credit.Amount, attempt, options.Instance), token);
                    await store.CompleteAttemptAsync(key, attempt, "ok", token);
                }
                catch (TransientDownstreamException e)
                {
                    FailurePaths.JobsTransient.Hit();
                    await store.CompleteAttemptAsync(key, attempt, "transient: " + e.Message, token);
                    LogAttemptFailed(logger, key, attempt, at);
                    if (attempt >= Budget)
                    {
                        throw new RetryBudgetSpentException(attempt, e.Message, e);
                    }

                    throw;
                }
                catch (PermanentDownstreamException e)
                {
                    FailurePaths.JobsPermanent.Hit();
                    await store.CompleteAttemptAsync(key, attempt, PermanentOutcome + e.Message, token);
                    throw;
                }
            }, context);
        }
        catch (RetryBudgetSpentException e)
        {
            FailurePaths.JobsBudgetExhausted.Hit();
            await DeadLetterAsync(key, e.Message, payload, producer, ct);
            return;
        }
        catch (TransientDownstreamException e)
        {
            FailurePaths.JobsBudgetExhausted.Hit();
            await DeadLetterAsync(key, $"retry budget exhausted after {attempt} attempts: {e.Message}", payload, producer, ct);
            return;
        }
        catch (PermanentDownstreamException e)
        {
            FailurePaths.JobsDeadLetterPermanent.Hit();
            await DeadLetterAsync(key, e.Message, payload, producer, ct);
            return;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (options.Has(DefectNames.NonAtomicEffect))
        {
            // The defect: effect and idempotency record commit separately; a crash between them re-applies on redelivery.
            await store.CreditWithoutRecordAsync(job, ct);
            await failpoints.HitAsync("jobs.after-effect-before-commit", ct);
            await store.RecordAppliedAsync(job, now, ct);
        }
        else if (!await store.ApplyCreditAsync(job, now, ct))
        {
            FailurePaths.JobsAlreadyApplied.Hit();
            metrics.Duplicates.Add(1);
            metrics.Redelivered.Add(1);
        }

        metrics.Processed.Add(1);
    }

    private async Task DeadLetterAsync(string? key, string reason, string payload, IProducer<string?, string> producer, CancellationToken ct)
    {
        if (options.Has(DefectNames.NoDlq))
        {
            LogDropped(logger, key ?? "?", reason);
            if (key is not null)
            {
                await store.MarkJobAsync(key, "failed", null, time.GetUtcNow().ToUnixTimeMilliseconds(), ct);
            }

            return;
        }

        // The record first, then the store: a refused produce leaves the job as it was, to be read again and
        // dead-lettered again; a store failure after the record means a second record on the redelivery (the
        // dead-letter topic is read at least once, keyed by job). The other order lost the record for good.
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await producer.ProduceAsync(options.Topics.JobsDlq, new Message<string?, string>
        {
            Key = key,
            Value = Json.Serialize(new { key, reason, payload, at = now, instance = options.Instance }),
        }, ct);
        await store.DeadLetterAsync(key, reason, payload, now, options.Instance, ct);
        metrics.DeadLettered.Add(1);
        metrics.SetDlqSize((await store.ReadDlqAsync(ct)).Count);
        LogDeadLettered(logger, key ?? "?", reason);
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Information, Message = "job {Key} attempt {Attempt} at {AtMs} failed transiently")]
    private static partial void LogAttemptFailed(ILogger logger, string key, int attempt, long atMs);

    [LoggerMessage(EventId = 401, Level = LogLevel.Warning, Message = "job {Key} dead-lettered: {Reason}")]
    private static partial void LogDeadLettered(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "job {Key} dropped without DLQ (no-dlq defect): {Reason}")]
    private static partial void LogDropped(ILogger logger, string key, string reason);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "jobs consume error: {Reason}")]
    private static partial void LogConsumeError(ILogger logger, Exception exception, string reason);

    [LoggerMessage(EventId = 404, Level = LogLevel.Warning, Message = "jobs offset commit failed: {Reason}")]
    private static partial void LogCommitFailed(ILogger logger, Exception exception, string reason);

    [LoggerMessage(EventId = 406, Level = LogLevel.Warning, Message = "the store refused a job ({Reason}); not committed, it is read again")]
    private static partial void LogStorageFailed(ILogger logger, Exception exception, string reason);

    [LoggerMessage(EventId = 407, Level = LogLevel.Warning, Message = "a dead-letter record was refused by Kafka ({Reason}); not committed, the job is read again")]
    private static partial void LogDeadLetterRefused(ILogger logger, Exception exception, string reason);

    [LoggerMessage(EventId = 405, Level = LogLevel.Critical, Message = "jobs loop failed; stopping the process")]
    private static partial void LogFatal(ILogger logger, Exception exception);
}
