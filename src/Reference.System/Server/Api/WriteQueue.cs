using System.Threading.Channels;
using Chaos.Reference.Hosting;
using Chaos.Reference.Observability;
using Chaos.Reference.Storage;

namespace Chaos.Reference.Api;

/// <summary>
/// Group commit for the api's message writes. Requests enqueue (bounded by <c>--write-queue</c>; a full queue is
/// refused at once, so the caller answers 429 instead of queueing without bound) and await their own outcome; one
/// writer takes up to <see cref="MaxBatch"/> pending writes and commits them in one transaction
/// (<see cref="Store.WriteBatchAsync"/>), so the database pays one write lock and one sync per batch, not per request.
/// A write is answered only after its batch committed: the acknowledgement means what it meant before.
/// </summary>
internal sealed partial class WriteQueue(Store store, SystemOptions options, OutboxSignal signal, SystemMetrics metrics, ILogger<WriteQueue> logger)
    : BackgroundService
{
    public const int MaxBatch = 256;

    private readonly Channel<PendingWrite> _channel = Channel.CreateBounded<PendingWrite>(new BoundedChannelOptions(options.WriteQueue)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>Queues the write; null when the queue is full (nothing queued, nothing will be written).</summary>
    public Task<WriteOutcome>? TryEnqueue(MessageWrite write)
    {
        var pending = new PendingWrite(write, new TaskCompletionSource<WriteOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        return _channel.Writer.TryWrite(pending) ? pending.Completion.Task : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingWrite>(MaxBatch);
        try
        {
            while (await _channel.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && _channel.Reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                }

                await CommitAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down: whatever was not committed is answered as cancelled below
        }
        finally
        {
            _channel.Writer.TryComplete();
            foreach (var pending in batch)
            {
                pending.Completion.TrySetCanceled(stoppingToken);
            }

            while (_channel.Reader.TryRead(out var pending))
            {
                pending.Completion.TrySetCanceled(stoppingToken);
            }
        }
    }

    private async Task CommitAsync(List<PendingWrite> batch, CancellationToken cancellationToken)
    {
        IReadOnlyList<BatchItemOutcome> outcomes;
        try
        {
            outcomes = await store.WriteBatchAsync([.. batch.Select(p => p.Write)], cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // nothing of the batch committed: every request fails as its own transaction would have
            FailurePaths.WriteBatchFailed.Hit();
            LogBatchFailed(logger, e, batch.Count);
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(e);
            }

            return;
        }

        metrics.WriteBatches.Add(1);
        metrics.WriteBatchSize.Record(batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i].Error is { } error)
            {
                batch[i].Completion.TrySetException(error);
            }
            else
            {
                batch[i].Completion.TrySetResult(outcomes[i].Outcome!);
            }
        }

        signal.Wake();
    }

    [LoggerMessage(EventId = 120, Level = LogLevel.Warning, Message = "group commit of {Count} writes failed; each request is answered with the failure")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);
}
