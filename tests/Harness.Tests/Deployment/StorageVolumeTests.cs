using System.Diagnostics;
using Chaos.Harness.Deployment;
using Chaos.Harness.Topology.Processes;

namespace Chaos.Harness.Tests.Deployment;

/// <summary>
/// The run's storage volume (<see cref="StorageVolume"/>): a real tmpfs, mounted, made full, given its size back,
/// unmounted; and a volume whose harness is gone unmounted by the reaper. Mounting needs root: skipped otherwise
/// (.ci/run runs as root).
/// </summary>
public sealed class StorageVolumeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "chaos-tests", "volume-" + Guid.NewGuid().ToString("N")[..8]);

    public StorageVolumeTests()
    {
        Assert.SkipWhen(StorageVolume.Unavailable is not null, $"needs a tmpfs mount: {StorageVolume.Unavailable}");
    }

    [Fact]
    public void A_full_volume_refuses_a_write_that_needs_space_and_takes_it_again_once_restored()
    {
        using (var volume = StorageVolume.Mount(_dir, 16 * 1024 * 1024))
        {
            Mounts().Should().Contain((volume.Source, volume.Directory));
            volume.Source.Should().Be(StorageVolume.Mark(Environment.ProcessId, Self().StartTime), "the mount is marked with its harness");
            File.WriteAllBytes(Path.Combine(_dir, "held"), new byte[256 * 1024]);

            var size = volume.Fill();

            size.Should().BeGreaterThanOrEqualTo(256 * 1024).And.BeLessThan(1024 * 1024, "the size is lowered to what the volume holds");
            volume.Free.Should().Be(0);
            var write = () => File.WriteAllBytes(Path.Combine(_dir, "more"), new byte[64 * 1024]);
            write.Should().Throw<IOException>().Which.HResult.Should().Be(28, "ENOSPC: no space left on device");
            File.ReadAllBytes(Path.Combine(_dir, "held")).Length.Should().Be(256 * 1024, "what it held stays readable");

            volume.Restore();

            volume.Free.Should().BeGreaterThan(8 * 1024 * 1024);
            write.Should().NotThrow();
        }

        Mounts().Should().NotContain(m => m.Target == _dir, "disposing unmounts it");
        Directory.Exists(_dir).Should().BeFalse("its mount point is removed");
    }

    [Fact]
    public void Filling_again_takes_back_space_the_system_freed()
    {
        using var volume = StorageVolume.Mount(_dir, 16 * 1024 * 1024);
        File.WriteAllText(Path.Combine(_dir, "system.db"), "x"); // a volume holds at least a page: a tmpfs of size 0 is unbounded
        var file = Path.Combine(_dir, "wal");
        File.WriteAllBytes(file, new byte[512 * 1024]);
        volume.Fill();
        File.Delete(file);
        volume.Free.Should().BeGreaterThan(400 * 1024, "a deleted file frees its blocks");

        volume.Fill();

        volume.Free.Should().Be(0);
    }

    [Fact]
    public void A_volume_cannot_be_mounted_over_a_folder_with_files()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "system.db"), "x");

        var mount = () => StorageVolume.Mount(_dir);

        mount.Should().Throw<InvalidOperationException>().WithMessage("*not empty*");
    }

    [Fact]
    public void The_reaper_unmounts_a_volume_whose_harness_is_gone_and_leaves_a_live_ones()
    {
        var dead = StorageVolume.Mark(int.MaxValue - 7, 1); // no such pid
        var deadDir = Path.Combine(_dir, "dead");
        Directory.CreateDirectory(deadDir);
        Run("mount", "-t", "tmpfs", "-o", "size=1m", dead, deadDir);
        using var live = StorageVolume.Mount(Path.Combine(_dir, "live"), 1024 * 1024);

        var removed = StorageVolume.UnmountLeftovers();

        removed.Should().Equal(deadDir);
        Mounts().Should().NotContain(m => m.Source == dead);
        Mounts().Should().Contain((live.Source, live.Directory), "its harness (this process) is alive");
    }

    [Theory]
    [InlineData("chaos-volume-123-456", 123, 456L)]
    [InlineData("chaos-volume-1-2-3", null, null)]
    [InlineData("chaos-volume-x-2", null, null)]
    [InlineData("tmpfs", null, null)]
    public void A_mount_source_is_a_mark_only_in_its_exact_form(string source, int? pid, long? start)
    {
        var mark = StorageVolume.ParseMark(source);

        mark?.Pid.Should().Be(pid);
        mark?.StartTime.Should().Be(start);
        (mark is null).Should().Be(pid is null);
    }

    public void Dispose()
    {
        foreach (var (_, target) in Mounts().Where(m => m.Target.StartsWith(_dir, StringComparison.Ordinal)))
        {
            Run("umount", "-l", target);
        }

        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static List<(string Source, string Target)> Mounts() => [.. StorageVolume.ReadMounts("/proc/self/mounts")];

    private static ProcStat Self() => ProcFs.TryReadStat(Environment.ProcessId, out var stat) ? stat : throw new InvalidOperationException("no /proc/self/stat");

    private static void Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true }) ?? throw new InvalidOperationException(file);
        process.WaitForExit(10_000).Should().BeTrue();
        process.ExitCode.Should().Be(0, process.StandardError.ReadToEnd());
    }
}
