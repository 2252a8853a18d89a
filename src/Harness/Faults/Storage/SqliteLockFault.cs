using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Chaos.Harness.Faults.Storage;

/// <summary>
/// <c>storage-lock</c> on <c>sqlite</c>: the system's SQLite database is locked for writing — what a long migration, a
/// backup holding a write transaction, or a stuck writer does to a shared database file. The harness opens the
/// run's database itself and begins an immediate transaction (BEGIN IMMEDIATE: the database's one write lock),
/// waiting for the system's current writer to finish; until the heal every writer of the system waits (its busy
/// timeout) and, past that, fails with SQLITE_BUSY; readers go on. Heal: the transaction is rolled back (it wrote nothing) and the connection closed
/// (docs/faults.md, "Storage faults"). The lock lets go by itself after <see cref="MaxHold"/> whatever the schedule says.
/// </summary>
public sealed class SqliteLockFault : IFault, IFaultOutcome, IDisposable
{
    /// <summary>The schedule name.</summary>
    public const string FaultName = "storage-lock";

    /// <summary>The only target: the run's SQLite database.</summary>
    public const string SqliteTarget = "sqlite";

    /// <summary>The kind, declared once (docs/faults.md, "Storage faults").</summary>
    public static Kinds.FaultKind Kind { get; } = new(FaultName, "storage", SqliteTarget, "the harness takes the run's SQLite database's one write lock until the heal: the system's writers wait their busy timeout, then fail with SQLITE_BUSY")
    {
        Requires = [Kinds.FaultCapabilities.SqliteStore],
    };

    /// <summary>The longest the harness holds the lock, healed or not.</summary>
    public static readonly TimeSpan MaxHold = TimeSpan.FromMinutes(10);

    /// <summary>How long the harness waits for the system's current writer before it gives up taking the lock.</summary>
    public static readonly TimeSpan AcquireTimeout = TimeSpan.FromSeconds(20);

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private SqliteConnection? _connection;
    private SqliteTransaction? _transaction;
    private ITimer? _release;
    private long _lockedAt;

    public SqliteLockFault(string databasePath, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        _path = databasePath;
        _time = time ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public string Name => FaultName;

    /// <inheritdoc/>
    public string Target => SqliteTarget;

    /// <summary>How long taking the lock waited for the system's writer.</summary>
    public TimeSpan? AcquiredAfter { get; private set; }

    /// <summary>How long the lock was held (set when released).</summary>
    public TimeSpan? Held { get; private set; }

    /// <summary>True once the harness held the write lock.</summary>
    public bool Locked => AcquiredAfter is not null;

    /// <summary>Why the lock could not be taken, if it could not.</summary>
    public string? Error { get; private set; }

    /// <inheritdoc/>
    public string? Outcome => Error is { } error ? "lock not taken: " + error
        : !Locked ? null
        : string.Create(CultureInfo.InvariantCulture, $"write lock taken after {AcquiredAfter!.Value.TotalMilliseconds:0} ms")
          + (Held is { } held ? string.Create(CultureInfo.InvariantCulture, $", held {held.TotalSeconds:0.0} s") : ", held");

    /// <inheritdoc/>
    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(_path))
        {
            Error = $"no database at {_path}";
            throw new InvalidOperationException($"storage-lock: {Error}");
        }

        var started = _time.GetTimestamp();
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWrite, // never creates a file
            Pooling = false,
            DefaultTimeout = (int)AcquireTimeout.TotalSeconds,
        }.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken);
            await using (var busy = connection.CreateCommand())
            {
                busy.CommandText = string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout={(int)AcquireTimeout.TotalMilliseconds};");
                await busy.ExecuteNonQueryAsync(cancellationToken);
            }

            // BEGIN IMMEDIATE (deferred: false) takes the database's one write lock at once, waiting for the system's
            // current writer; in WAL mode readers are unaffected
            var transaction = await Task.Run(() => connection.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: false), cancellationToken);

            lock (_gate)
            {
                _connection = connection;
                _transaction = transaction;
                _lockedAt = _time.GetTimestamp();
                AcquiredAfter = _time.GetElapsedTime(started);
                _release = _time.CreateTimer(_ => Release(), null, MaxHold, Timeout.InfiniteTimeSpan);
            }
        }
        catch (SqliteException e)
        {
            Error = e.Message;
            await connection.DisposeAsync();
            throw new InvalidOperationException($"storage-lock: could not lock {_path}: {e.Message}", e);
        }
        catch (OperationCanceledException)
        {
            await connection.DisposeAsync(); // the run ended while the lock was awaited: no connection left open
            throw;
        }
    }

    /// <inheritdoc/>
    public Task HealAsync(CancellationToken cancellationToken)
    {
        Release();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public void Dispose() => Release();

    private void Release()
    {
        lock (_gate)
        {
            if (_connection is null)
            {
                return;
            }

            Held = _time.GetElapsedTime(_lockedAt);
            _release?.Dispose();
            try
            {
                _transaction?.Rollback();
            }
            catch (SqliteException)
            {
                // the connection is closed below either way, which ends the transaction
            }

            _transaction?.Dispose();
            _connection.Dispose();
            _transaction = null;
            _connection = null;
        }
    }
}
