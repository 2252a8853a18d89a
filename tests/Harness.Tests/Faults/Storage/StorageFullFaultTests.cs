using Chaos.Harness.Deployment;
using Chaos.Harness.Faults.Storage;
using Microsoft.Data.Sqlite;

namespace Chaos.Harness.Tests.Faults.Storage;

/// <summary>
/// storage-full on a real SQLite database in WAL mode, as the reference system opens it, on a real storage volume (a
/// tmpfs: root only, skipped otherwise; .ci/run runs as root).
/// </summary>
public sealed class StorageFullFaultTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "chaos-tests", "storage-full-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly StorageVolume _volume;
    private readonly string _db;

    public StorageFullFaultTests()
    {
        Assert.SkipWhen(StorageVolume.Unavailable is not null, $"needs a tmpfs mount: {StorageVolume.Unavailable}");
        _volume = StorageVolume.Mount(_dir, 64 * 1024 * 1024);
        _db = Path.Combine(_dir, "system.db");
        using var c = Open();
        Exec(c, "PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES (zeroblob(100000));");
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task While_the_disk_is_full_a_write_fails_with_SQLITE_FULL_and_a_read_does_not_and_after_the_heal_both_work()
    {
        await using var fault = new StorageFullFault(_volume);
        using (var writer = Open()) // open and written before, as the system's pooled connections are: its WAL and shared memory exist
        {
            Exec(writer, "INSERT INTO t VALUES (1); DELETE FROM t WHERE x = 1;");
            await fault.ApplyAsync(Ct);

            var write = () => Exec(writer, "INSERT INTO t VALUES (zeroblob(1000000));");
            write.Should().Throw<SqliteException>().Which.SqliteErrorCode.Should().Be(13, "SQLITE_FULL: database or disk is full (a connection opened on the full disk meets SQLITE_IOERR_SHMSIZE instead: its WAL index cannot grow)");
            Scalar(writer, "SELECT count(*) FROM t").Should().Be(1, "reads go on, and the failed write left nothing");
        }

        fault.TookEffect.Should().BeTrue();
        fault.FreeAfterFill.Should().Be(0);
        await fault.HealAsync(Ct);
        using (var writer = Open())
        {
            Exec(writer, "INSERT INTO t VALUES (zeroblob(1000000));");
            Scalar(writer, "SELECT count(*) FROM t").Should().Be(2, "the disk has room again");
        }

        _volume.CurrentSize.Should().Be(_volume.Size);
        fault.Held.Should().BeGreaterThan(TimeSpan.Zero);
        fault.Outcome.Should().StartWith("disk full at").And.Contain("0 B free").And.Contain("held");
    }

    [Fact]
    public async Task Space_freed_while_it_holds_is_taken_again()
    {
        var spare = Path.Combine(_dir, "spare");
        await File.WriteAllBytesAsync(spare, new byte[1024 * 1024], Ct);
        await using var fault = new StorageFullFault(_volume);
        await fault.ApplyAsync(Ct);

        File.Delete(spare); // what a checkpoint that truncates the WAL does
        var refilled = false;
        for (var i = 0; i < 40 && !refilled; i++)
        {
            await Task.Delay(StorageFullFault.Interval, Ct);
            refilled = _volume.Free == 0 && fault.Fills > 1;
        }

        refilled.Should().BeTrue("the fault lowers the size again every interval");
        await fault.HealAsync(Ct);
        _volume.Free.Should().BeGreaterThan(32 * 1024 * 1024);
    }

    [Fact]
    public async Task A_volume_already_gone_is_a_failed_apply_naming_why()
    {
        _volume.Dispose();
        await using var fault = new StorageFullFault(_volume);

        var apply = () => fault.ApplyAsync(Ct);

        await apply.Should().ThrowAsync<InvalidOperationException>().WithMessage("storage-full: *");
        fault.TookEffect.Should().BeFalse();
        fault.Outcome.Should().StartWith("disk not full");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _volume.Dispose();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private SqliteConnection Open()
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _db, Pooling = false }.ToString());
        c.Open();
        return c;
    }

    private static void Exec(SqliteConnection c, string sql)
    {
        using var command = c.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection c, string sql)
    {
        using var command = c.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
