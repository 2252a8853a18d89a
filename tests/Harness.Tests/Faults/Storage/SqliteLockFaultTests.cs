using Chaos.Harness.Faults.Storage;
using Microsoft.Data.Sqlite;

namespace Chaos.Harness.Tests.Faults.Storage;

/// <summary>storage-lock on a real SQLite database in WAL mode, as the reference system opens it.</summary>
public sealed class SqliteLockFaultTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "chaos-tests", "sqlite-lock-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _db;

    public SqliteLockFaultTests()
    {
        Directory.CreateDirectory(_dir);
        _db = Path.Combine(_dir, "system.db");
        using var c = Open(busyMs: 0);
        Exec(c, "PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES (1);");
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task While_locked_a_writer_is_refused_and_a_reader_is_not_and_after_the_heal_both_work()
    {
        using var fault = new SqliteLockFault(_db);

        await fault.ApplyAsync(Ct);
        using (var writer = Open(busyMs: 200))
        {
            var write = () => Exec(writer, "INSERT INTO t VALUES (2);");
            write.Should().Throw<SqliteException>().Which.SqliteErrorCode.Should().Be(5, "SQLITE_BUSY: the harness holds the write lock");
            Scalar(writer, "SELECT count(*) FROM t").Should().Be(1, "readers go on in WAL mode");
        }

        await fault.HealAsync(Ct);
        using (var writer = Open(busyMs: 200))
        {
            Exec(writer, "INSERT INTO t VALUES (2);");
            Scalar(writer, "SELECT count(*) FROM t").Should().Be(2, "the lock wrote nothing and is gone");
        }

        fault.Locked.Should().BeTrue();
        fault.Held.Should().BeGreaterThan(TimeSpan.Zero);
        fault.Outcome.Should().StartWith("write lock taken after").And.Contain("held");
    }

    [Fact]
    public async Task Taking_the_lock_waits_for_the_current_writer()
    {
        using var writer = Open(busyMs: 0);
        using var transaction = writer.BeginTransaction(deferred: false);
        Exec(writer, "INSERT INTO t VALUES (3);", transaction);
        using var fault = new SqliteLockFault(_db);

        var apply = fault.ApplyAsync(Ct);
        await Task.Delay(300, Ct);
        apply.IsCompleted.Should().BeFalse("the system's writer holds the lock");
        transaction.Commit();
        await apply.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        fault.AcquiredAfter.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250));
        await fault.HealAsync(Ct);
    }

    [Fact]
    public async Task A_missing_database_is_an_error_naming_it_and_creates_nothing()
    {
        var missing = Path.Combine(_dir, "nope.db");
        using var fault = new SqliteLockFault(missing);

        var apply = () => fault.ApplyAsync(Ct);

        (await apply.Should().ThrowAsync<InvalidOperationException>()).WithMessage($"*no database at {missing}*");
        File.Exists(missing).Should().BeFalse();
        fault.Outcome.Should().StartWith("lock not taken");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private SqliteConnection Open(int busyMs)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _db, Pooling = false, DefaultTimeout = 1 }.ToString());
        c.Open();
        Exec(c, $"PRAGMA busy_timeout={busyMs};");
        return c;
    }

    private static void Exec(SqliteConnection c, string sql, SqliteTransaction? transaction = null)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = transaction;
        cmd.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return (long)cmd.ExecuteScalar()!;
    }
}
