using Chaos.Harness.Deployment;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Faults.Storage;
using Chaos.Harness.Tests.Deployment;
using Microsoft.Data.Sqlite;

namespace Chaos.Harness.Tests.Faults.Storage;

/// <summary>
/// slow-fsync through a real shim (built with the machine's C compiler; skipped, saying why, without one) preloaded
/// into real processes: coreutils' <c>sync FILE</c> for a sync the fault must hold, and SQLite itself (the same library
/// the reference system uses) in the test host, whose syncs the shim does not see (it is not preloaded here) — so the
/// fault's proof counts only syncs of the nodes it was put into.
/// </summary>
public sealed class SlowFsyncFaultTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "chaos-tests", "slow-fsync-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _store;
    private readonly FsyncShim _shim;

    public SlowFsyncFaultTests()
    {
        Assert.SkipWhen(FsyncShim.Unavailable is not null, $"needs the slow-fsync shim: {FsyncShim.Unavailable}");
        _store = Directory.CreateDirectory(Path.Combine(_dir, "storage")).FullName;
        _shim = FsyncShim.Build(Path.Combine(_dir, "fsync-shim"), _store);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_sync_of_the_store_made_while_it_holds_is_held_and_proves_it_took_effect()
    {
        var db = Path.Combine(_store, "system.db");
        await File.WriteAllTextAsync(db, "data", Ct);
        await using var fault = new SlowFsyncFault(_shim, TimeSpan.FromMilliseconds(300));

        await fault.ApplyAsync(Ct);
        var took = Sync(db);
        await fault.HealAsync(Ct);

        took.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(300));
        fault.TookEffect.Should().BeTrue();
        fault.HeldSyncs.Should().Be(1);
        fault.Syncs.Should().Be(1);
        fault.Outcome.Should().StartWith("1 of the store's syncs held 300 ms each (1 made) over ");
        Sync(db).Should().BeLessThan(TimeSpan.FromMilliseconds(300), "healed: syncs run at once");
        fault.HeldSyncs.Should().Be(1, "the count is the fault's own window");
    }

    [Fact]
    public async Task A_fault_during_which_the_store_made_no_sync_did_not_take_effect()
    {
        // SQLite in this process, in WAL mode with synchronous=FULL: it syncs at every commit, but this process does not
        // carry the shim, so nothing was held — the proof must say so rather than count syncs the shim never saw
        await using var fault = new SlowFsyncFault(_shim, TimeSpan.FromMilliseconds(200));
        await fault.ApplyAsync(Ct);
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_store, "system.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t(x); INSERT INTO t VALUES (1);";
            command.ExecuteNonQuery();
        }

        await fault.HealAsync(Ct);

        fault.TookEffect.Should().BeFalse();
        fault.HeldSyncs.Should().Be(0);
        fault.Outcome.Should().StartWith("0 of the store's syncs held 200 ms each (0 made)");
    }

    [Fact]
    public void Its_delay_comes_from_the_entry_and_defaults_to_a_second()
    {
        var given = new FaultScheduleEntry(TimeSpan.Zero, "slow-fsync", "sqlite", TimeSpan.FromSeconds(5), new Dictionary<string, string> { ["delayMs"] = "2500" });
        var bare = new FaultScheduleEntry(TimeSpan.Zero, "slow-fsync", "sqlite", TimeSpan.FromSeconds(5));

        SlowFsyncFault.From(given, _shim).Delay.Should().Be(TimeSpan.FromMilliseconds(2500));
        SlowFsyncFault.From(bare, _shim).Delay.Should().Be(TimeSpan.FromSeconds(1));
        var bad = () => SlowFsyncFault.Kind.Validate(new FaultScheduleEntry(TimeSpan.Zero, "slow-fsync", "sqlite", TimeSpan.FromSeconds(5), new Dictionary<string, string> { ["delayMs"] = "0" }));
        bad.Should().Throw<ArgumentException>().WithMessage("parameters.delayMs: 0 is outside 1..60000*");
    }

    [Fact]
    public async Task It_lets_go_by_itself_after_its_longest_hold()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        await using var fault = new SlowFsyncFault(_shim, TimeSpan.FromSeconds(1), time);
        await fault.ApplyAsync(Ct);
        _shim.DelayMilliseconds.Should().Be(1000);

        time.Advance(SlowFsyncFault.MaxHold);

        _shim.DelayMilliseconds.Should().Be(0, "no schedule holds the disk slow past the fault's own limit");
        fault.Held.Should().Be(SlowFsyncFault.MaxHold);
    }

    public void Dispose()
    {
        _shim?.Dispose();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private TimeSpan Sync(string file) => ShimmedSync.Run(_shim, file);
}
