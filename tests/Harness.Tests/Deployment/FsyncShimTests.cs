using Chaos.Harness.Deployment;

namespace Chaos.Harness.Tests.Deployment;

/// <summary>
/// The slow-fsync shim built with the machine's C compiler and preloaded into real processes: coreutils' <c>sync FILE</c>
/// calls fsync(2) on the file, <c>sync -d FILE</c> fdatasync(2). Skipped, saying why, where no C compiler is found
/// (.ci/run installs gcc).
/// </summary>
public sealed class FsyncShimTests : IDisposable
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(400);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "chaos-tests", "fsync-shim-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _store;
    private readonly FsyncShim _shim;

    public FsyncShimTests()
    {
        Assert.SkipWhen(FsyncShim.Unavailable is not null, $"needs the slow-fsync shim: {FsyncShim.Unavailable}");
        Assert.SkipWhen(!File.Exists("/usr/bin/sync") && !File.Exists("/bin/sync"), "needs coreutils' sync to make fsync calls");
        _store = Directory.CreateDirectory(Path.Combine(_dir, "storage")).FullName;
        File.WriteAllText(Path.Combine(_store, "system.db"), "data");
        File.WriteAllText(Path.Combine(_dir, "elsewhere.log"), "data");
        _shim = FsyncShim.Build(Path.Combine(_dir, "fsync-shim"), _store);
    }

    [Fact]
    public void A_sync_of_a_store_file_is_held_while_a_hold_is_in_force_and_counted_always()
    {
        var before = Sync(Path.Combine(_store, "system.db"));
        _shim.Calls.Should().Be(1, "the shim counts every sync of a file under the storage directory");
        _shim.Held.Should().Be(0, "no hold was in force");
        before.Should().BeLessThan(Delay);

        using (_shim.Hold(Delay))
        {
            Sync(Path.Combine(_store, "system.db")).Should().BeGreaterThanOrEqualTo(Delay, "fsync is held before it runs");
            Sync(Path.Combine(_store, "system.db"), "-d").Should().BeGreaterThanOrEqualTo(Delay, "fdatasync too");
        }

        _shim.Held.Should().Be(2);
        _shim.HeldMilliseconds.Should().Be(2 * (long)Delay.TotalMilliseconds);
        _shim.Calls.Should().Be(3);
        Sync(Path.Combine(_store, "system.db")).Should().BeLessThan(Delay, "the hold is over");
        _shim.Held.Should().Be(2);
    }

    [Fact]
    public void A_sync_of_a_file_outside_the_storage_directory_is_neither_held_nor_counted()
    {
        using var hold = _shim.Hold(TimeSpan.FromSeconds(5));

        Sync(Path.Combine(_dir, "elsewhere.log")).Should().BeLessThan(TimeSpan.FromSeconds(5));
        _shim.Calls.Should().Be(0);
        _shim.Held.Should().Be(0);
    }

    [Fact]
    public void Overlapping_holds_apply_the_longest_in_force()
    {
        var shorter = _shim.Hold(TimeSpan.FromMilliseconds(100));
        var longer = _shim.Hold(TimeSpan.FromMilliseconds(300));
        _shim.DelayMilliseconds.Should().Be(300);
        longer.Dispose();
        _shim.DelayMilliseconds.Should().Be(100, "the shorter hold is still in force");
        longer.Dispose();
        _shim.DelayMilliseconds.Should().Be(100, "a hold is let go once");
        shorter.Dispose();
        _shim.DelayMilliseconds.Should().Be(0);
    }

    [Fact]
    public void Disposing_the_shim_lets_every_sync_through()
    {
        _ = _shim.Hold(TimeSpan.FromSeconds(30));
        _shim.Dispose();

        Sync(Path.Combine(_store, "system.db")).Should().BeLessThan(TimeSpan.FromSeconds(5), "the control file says 0 once the run lets go");
        File.ReadAllBytes(Path.Combine(_dir, "fsync-shim", "control"))[..4].Should().Equal(0, 0, 0, 0);
    }

    [Fact]
    public void A_storage_directory_that_does_not_exist_is_refused_naming_it()
    {
        var missing = Path.Combine(_dir, "nowhere");
        var build = () => FsyncShim.Build(Path.Combine(_dir, "other-shim"), missing);

        build.Should().Throw<InvalidOperationException>().WithMessage($"*{missing}*does not exist*");
    }

    public void Dispose()
    {
        _shim?.Dispose();
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private TimeSpan Sync(string file, string? flag = null) => ShimmedSync.Run(_shim, file, flag);
}
