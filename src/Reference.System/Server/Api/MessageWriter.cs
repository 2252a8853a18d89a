using System.Diagnostics;
using Chaos.Reference.Faults;
using Chaos.Reference.Hosting;
using Chaos.Reference.Observability;
using Chaos.Reference.Storage;

namespace Chaos.Reference.Api;

/// <summary>
/// Persists a chat message or notification with its outbox rows, then answers; the relay publishes. The write goes
/// through the <see cref="WriteQueue"/> (group commit); a write the fan-out limit or a full queue refuses is answered
/// 429 with Retry-After and never persisted.
/// </summary>
internal sealed partial class MessageWriter(Store store, SystemOptions options, Failpoints failpoints, TimeProvider time, OutboxSignal signal,
    WriteQueue queue, FanoutLimiter limiter, SystemMetrics metrics, ILogger<MessageWriter> logger)
{
    public async Task<IResult> WriteAsync(HttpResponse response, string key, string hash, string? id, string kind, string? sender, string? conversation,
        IReadOnlyList<string> to, string body, CancellationToken cancellationToken)
    {
        var unknown = await store.UnknownUsersAsync(to, cancellationToken);
        if (unknown.Count > 0)
        {
            throw new ApiError(422, $"unknown user(s): {string.Join(", ", unknown)}");
        }

        var messageId = id ?? $"m-{Guid.CreateVersion7(time.GetUtcNow()):N}";
        var keyed = !options.Has(DefectNames.UnkeyedPartitioning);
        if (options.Has(DefectNames.AckBeforePersist))
        {
            // The bug: the sender is told "accepted" while the message exists only in this process's memory; it is
            // persisted once the answer has gone out (plus a moment, so the sender has surely read it).
            response.OnCompleted(() =>
            {
                _ = Task.Run(async () =>
                {
                    try
                    {
                        await Task.Delay(100, CancellationToken.None);
                        await failpoints.HitAsync("api.before-persist", CancellationToken.None);
                        await store.CreateMessageAsync(key, hash, messageId, kind, sender, conversation, to, body, time.GetUtcNow().ToUnixTimeMilliseconds(), options.Topics.Fanout, keyed, CancellationToken.None);
                        signal.Wake();
                    }
                    catch (Exception e)
                    {
                        FailurePaths.BackgroundPersistFailed.Hit();
                        LogBackgroundPersistFailed(logger, e, messageId);
                    }
                }, CancellationToken.None);
                return Task.CompletedTask;
            });
            return Results.Json(new { id = messageId, duplicate = false }, statusCode: 202);
        }

        if (!limiter.TryAcquire(to.Count, out var wait))
        {
            return Shed(response, "fanout-limit", $"shedding load: fan-out rate limit ({options.FanoutRateLimit} recipient rows/s); retry later", wait);
        }

        await failpoints.HitAsync("api.before-persist", cancellationToken);
        // the send's span, under the request's trace (docs/reference-system.md, "Traces"); its context goes into the
        // outbox rows, so the relay's publish continues the same trace
        using var span = SystemTracing.StartChild("api send", ActivityKind.Internal,
            Activity.Current?.Context ?? SystemTracing.Parse(response.HttpContext.Request.Headers[SystemTracing.Header]));
        span?.SetTag("chat.message.id", messageId);
        var write = new MessageWrite(key, hash, messageId, kind, sender, conversation, to, body, time.GetUtcNow().ToUnixTimeMilliseconds(), options.Topics.Fanout, keyed,
            span?.Id);
        if (queue.TryEnqueue(write) is not { } pending)
        {
            limiter.Release(to.Count);
            return Shed(response, "queue-full", $"shedding load: the write queue is full ({options.WriteQueue} writes waiting); retry later", TimeSpan.FromSeconds(1));
        }

        // The client going away does not withdraw a queued write: it commits with its batch (an unknown outcome for
        // that client, as a dropped connection after any commit is).
        var outcome = await pending.WaitAsync(cancellationToken);
        if (outcome.Status != WriteStatus.Created)
        {
            limiter.Release(to.Count); // a replay or a conflict wrote no rows
        }

        if (outcome.Status == WriteStatus.Conflict)
        {
            throw new ApiError(409, outcome.Result);
        }

        // the writer woke the relay once for the whole batch
        await failpoints.HitAsync("api.after-persist-before-publish", cancellationToken);
        var stored = Messaging.Json.Deserialize<StoredResult>(outcome.Result)!;
        if (outcome.Status == WriteStatus.Replayed)
        {
            FailurePaths.IdempotentReplay.Hit();
        }

        return Results.Json(new { id = stored.Id, duplicate = outcome.Status == WriteStatus.Replayed }, statusCode: outcome.Status == WriteStatus.Created ? 202 : 200);
    }

    /// <summary>Explicit backpressure: 429, the reason, and when to come back; the write was not persisted.</summary>
    private IResult Shed(HttpResponse response, string reason, string message, TimeSpan retryAfter)
    {
        (reason == "queue-full" ? FailurePaths.ShedQueueFull : FailurePaths.ShedFanoutLimit).Hit();
        metrics.Shed.Add(1, new KeyValuePair<string, object?>("reason", reason));
        response.Headers.RetryAfter = ApiEndpoints.Invariant((long)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds)));
        return Results.Json(new { error = message }, statusCode: 429);
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Error, Message = "background persist of {MessageId} failed (ack-before-persist)")]
    private static partial void LogBackgroundPersistFailed(ILogger logger, Exception exception, string messageId);

    private sealed record StoredResult(string Id);
}
