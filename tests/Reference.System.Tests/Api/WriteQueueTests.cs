using System.Diagnostics.Metrics;
using Chaos.Reference.Api;
using Chaos.Reference.Hosting;
using Chaos.Reference.Observability;
using Chaos.Reference.Storage;
using Chaos.Reference.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chaos.Reference.Tests.Api;

/// <summary>The api's group-commit queue on a real SQLite file: batching, per-request outcomes, and refusal when full.</summary>
public sealed class WriteQueueTests
{
    [Fact]
    public async Task Writes_QueuedWhileTheDatabaseIsBusy_CommitTogetherInFewBatchesEachWithItsOwnOutcome()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await TemporaryStore.CreateAsync("sqlite", ct);
        using var metrics = new SystemMetrics();
        using var batches = new BatchRecorder(metrics);
        var queue = await StartAsync(db.Store, metrics, capacity: 100, ct);
        try
        {
            List<Task<WriteOutcome>> pending;
            await using (await HoldWriteLockAsync(db.File, ct))
            {
                pending = [.. Enumerable.Range(0, 20).Select(i => queue.TryEnqueue(StoreWriteBatchTests.Write($"k{i % 10}", $"m{i}", ["u1"]))!)];
                pending.Should().NotContainNulls("the queue has room for 100");
            }

            var outcomes = await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(30), ct);

            // k0..k9 twice each: the first of each pair created its message, the second is its replay
            outcomes.Take(10).Should().OnlyContain(o => o.Status == WriteStatus.Created);
            outcomes.Skip(10).Should().OnlyContain(o => o.Status == WriteStatus.Replayed);
            outcomes.Skip(10).Select(o => o.Result).Should().Equal(outcomes.Take(10).Select(o => o.Result));
            batches.Sizes.Sum().Should().Be(20);
            batches.Sizes.Should().HaveCountLessThanOrEqualTo(2, "everything queued behind the busy database goes in the next transaction");
            batches.Sizes.Max().Should().BeGreaterThan(1);
            (await db.CountAsync("SELECT COUNT(*) FROM messages", ct)).Should().Be(10);
        }
        finally
        {
            await queue.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task TryEnqueue_QueueFull_RefusesAndTheAcceptedWritesStillCommit()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = await TemporaryStore.CreateAsync("sqlite", ct);
        using var metrics = new SystemMetrics();
        var queue = await StartAsync(db.Store, metrics, capacity: 2, ct);
        try
        {
            var accepted = new List<Task<WriteOutcome>>();
            var refused = 0;
            await using (await HoldWriteLockAsync(db.File, ct))
            {
                // the writer holds what it took (blocked on the lock); the queue holds 2 more; then it refuses
                for (var i = 0; i < WriteQueue.MaxBatch + 10 && refused == 0; i++)
                {
                    if (queue.TryEnqueue(StoreWriteBatchTests.Write($"k{i}", $"m{i}", ["u1"])) is { } task)
                    {
                        accepted.Add(task);
                    }
                    else
                    {
                        refused++;
                    }
                }

                refused.Should().Be(1);
                accepted.Should().HaveCountGreaterThanOrEqualTo(2).And.HaveCountLessThanOrEqualTo(2 + WriteQueue.MaxBatch);
                accepted.Should().OnlyContain(t => !t.IsCompleted, "nothing is answered before its transaction commits");
            }

            var outcomes = await Task.WhenAll(accepted).WaitAsync(TimeSpan.FromSeconds(30), ct);
            outcomes.Should().OnlyContain(o => o.Status == WriteStatus.Created);
            (await db.CountAsync("SELECT COUNT(*) FROM messages", ct)).Should().Be(accepted.Count, "a refused write was never queued");
        }
        finally
        {
            await queue.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<WriteQueue> StartAsync(Store store, SystemMetrics metrics, int capacity, CancellationToken cancellationToken)
    {
        var options = new SystemOptions { Role = "api", Instance = "api-test", Kafka = "unused", Db = "unused", AdminKey = "admin-key-0123456789abcdef", WriteQueue = capacity };
        var queue = new WriteQueue(store, options, new OutboxSignal(), metrics, NullLogger<WriteQueue>.Instance);
        await queue.StartAsync(cancellationToken);
        return queue;
    }

    /// <summary>Another connection's BEGIN IMMEDIATE: the queue's writer waits on SQLite's busy timeout until it is released.</summary>
    internal static async Task<IAsyncDisposable> HoldWriteLockAsync(string file, CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        return new Held(connection, transaction);
    }

    private sealed class Held(SqliteConnection connection, System.Data.Common.DbTransaction transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await transaction.RollbackAsync();
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }

    /// <summary>The sizes this <see cref="SystemMetrics"/> instance recorded on refsys.api.write_batch_size (no other instance's).</summary>
    private sealed class BatchRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<long> _sizes = [];

        public BatchRecorder(SystemMetrics metrics)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument, metrics.WriteBatchSize))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
            {
                lock (_sizes)
                {
                    _sizes.Add(value);
                }
            });
            _listener.Start();
        }

        public IReadOnlyList<long> Sizes
        {
            get
            {
                lock (_sizes)
                {
                    return [.. _sizes];
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
