using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Chaos.Harness.Deployment;
using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Processes;
using static Chaos.Harness.Tests.Topology.TopologyTestSupport;

namespace Chaos.Harness.Tests.Topology;

/// <summary>A stand-in harness (the probe's topology-harness verb) is signalled; its children must not outlive it.</summary>
public sealed class ProcessCleanupTests
{
    [Theory(Timeout = 90_000)]
    [InlineData(15)] // SIGTERM
    [InlineData(2)] // SIGINT (Ctrl-C)
    public async Task A_harness_stopped_by_SIGTERM_or_SIGINT_kills_its_children_and_grandchildren_even_when_they_ignore_their_parent(int signal)
    {
        // no guard: what is shown is the harness's own signal handling
        var (harness, pids, stateDir) = await StartStandInHarnessAsync("--no-parent-watch --spawn-grandchild", "--no-guard");
        using var cleanup = new LeftoverCleanup(harness, stateDir);
        {
            pids.Should().HaveCount(4);

            PosixSignals.Send(harness.Id, signal).Should().BeTrue();

            await harness.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
            (await WaitUntilGoneAsync(pids, GoneWithin)).Should().BeEmpty();
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task A_harness_that_calls_Environment_Exit_without_disposing_still_kills_its_children()
    {
        var (harness, pids, stateDir) = await StartStandInHarnessAsync("--no-parent-watch --spawn-grandchild", "--exit-after-ms", "2000", "--no-guard");
        using var cleanup = new LeftoverCleanup(harness, stateDir);
        {
            pids.Should().HaveCount(4);

            await harness.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

            harness.ExitCode.Should().Be(5);
            (await WaitUntilGoneAsync(pids, GoneWithin)).Should().BeEmpty("AppDomain.ProcessExit kills every registered tree");
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task A_SIGKILLed_harness_leaves_no_child_or_grandchild_behind_because_children_watch_CHAOS_PARENT_PID()
    {
        // The grandchildren ignore CHAOS_PARENT_PID: their parent's ParentWatch takes its process tree down with it.
        // No guard: what is shown is the children's own watch.
        var (harness, pids, stateDir) = await StartStandInHarnessAsync("--spawn-grandchild", "--no-guard");
        using var cleanup = new LeftoverCleanup(harness, stateDir);
        {
            pids.Should().HaveCount(4);

            harness.Kill();
            await harness.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

            (await WaitUntilGoneAsync(pids, TimeSpan.FromSeconds(5))).Should().BeEmpty("children exit within ~1 s of their parent");
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task A_SIGKILLed_harness_s_guard_kills_children_that_cannot_watch_it_because_a_pause_fault_stopped_them()
    {
        // the cleanup soak's finding: a node a zombie-consumer or process-starve fault held stopped cannot run its
        // ParentWatch, and stayed after the harness was SIGKILLed; here the children ignore their parent and are stopped
        var (harness, pids, stateDir) = await StartStandInHarnessAsync("--no-parent-watch --spawn-grandchild");
        using var cleanup = new LeftoverCleanup(harness, stateDir);
        {
            // the guard's own children (its `sleep`) carry its mark too: the guard is the one whose parent is not marked
            var marked = ProcFs.All().Where(p => ProcFs.HasEnvironmentEntry(p.Pid, $"{HarnessGuard.EnvironmentVariable}={harness.Id}")).ToList();
            var guard = marked.Where(p => marked.All(q => q.Pid != p.ParentPid)).Select(p => p.Pid).ToList();
            guard.Should().ContainSingle("one guard per harness process");
            foreach (var pid in pids)
            {
                PosixSignals.Send(pid, PosixSignals.SigStop).Should().BeTrue();
            }

            harness.Kill();
            await harness.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

            (await WaitUntilGoneAsync(pids, TimeSpan.FromSeconds(5))).Should().BeEmpty("the guard kills every process carrying the harness's mark, stopped or not");
            (await WaitUntilGoneAsync(guard, TimeSpan.FromSeconds(5))).Should().BeEmpty("the guard ends once it has done its work");
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task A_SIGKILLed_harness_s_guard_removes_the_harness_s_own_runtime_files()
    {
        // a SIGKILLed .NET process cannot remove its diagnostics socket and debugger pipes; its guard does
        var (harness, _, stateDir) = await StartStandInHarnessAsync("", keepDiagnostics: true);
        using var cleanup = new LeftoverCleanup(harness, stateDir);
        {
            ProcFs.TryReadStat(harness.Id, out var stat).Should().BeTrue();
            var files = new[] { "dotnet-diagnostic-{0}-{1}-socket", "clr-debug-pipe-{0}-{1}-in", "clr-debug-pipe-{0}-{1}-out" }
                .Select(f => Path.Combine(Path.GetTempPath(), string.Format(System.Globalization.CultureInfo.InvariantCulture, f, harness.Id, stat.StartTime)))
                .ToList();
            files.Should().OnlyContain(f => File.Exists(f), "a .NET process with diagnostics on makes them at start");

            harness.Kill();
            await harness.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (files.Any(File.Exists) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            files.Where(File.Exists).Should().BeEmpty("the guard removes the dead harness's runtime files");
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task A_SIGKILLed_harness_s_guard_unmounts_its_storage_volume()
    {
        // a mount outlives every process (Deployment/StorageVolume): the guard looks for the harness's mark on it
        Assert.SkipWhen(StorageVolume.Unavailable is not null, $"needs a tmpfs mount: {StorageVolume.Unavailable}");
        var mountPoint = Path.Combine(NewTempDirectory("volume"), "storage");
        var (harness, _, stateDir) = await StartStandInHarnessAsync("", "--storage-volume", mountPoint);
        using var cleanup = new LeftoverCleanup(harness, stateDir);
        {
            IsMounted(mountPoint).Should().BeTrue("the stand-in harness mounted it");

            harness.Kill();
            await harness.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
            while (IsMounted(mountPoint) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            IsMounted(mountPoint).Should().BeFalse("the guard unmounts the dead harness's volume");
            Directory.Exists(mountPoint).Should().BeFalse("and removes its mount point");
        }

        static bool IsMounted(string target) => StorageVolume.ReadMounts("/proc/self/mounts").Any(m => m.Target == target);
    }

    [Fact(Timeout = 90_000)]
    public async Task The_reaper_kills_what_a_SIGKILLed_harness_left_of_children_that_ignore_their_parent()
    {
        // no guard: the reaper is the backstop for a harness whose guard could not start
        var (harness, pids, stateDir) = await StartStandInHarnessAsync("--no-parent-watch --spawn-grandchild", "--no-guard");
        using var cleanup = new LeftoverCleanup(harness, stateDir);
        {
            harness.Kill();
            await harness.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
            pids.Where(IsAlive).Should().HaveCount(4, "nothing but the reaper can stop these");

            var reaped = ProcessReaper.Reap(stateDir);

            reaped.Should().Contain(pids.Take(1));
            (await WaitUntilGoneAsync(pids, GoneWithin)).Should().BeEmpty();
            Directory.GetFiles(stateDir).Should().BeEmpty();
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task The_reaper_never_kills_a_process_whose_start_time_differs_and_leaves_live_harnesses_alone()
    {
        using var bystander = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            ProcFs.TryReadStat(bystander.Id, out var stat).Should().BeTrue();
            ProcFs.TryReadStat(Environment.ProcessId, out var self).Should().BeTrue();
            var stateDir = NewTempDirectory("state");
            var boot = ProcFs.BootId();

            // A dead harness recorded a child whose pid now belongs to someone else (other start time).
            await WriteStateAsync(stateDir, "dead", new TopologyState(boot, 0x3FFFFFF0, 1, "/x", [new("n", bystander.Id, stat.StartTime + 1, true)]));
            // A live harness (this process) owns the bystander: not the reaper's business.
            await WriteStateAsync(stateDir, "live", new TopologyState(boot, Environment.ProcessId, self.StartTime, "/x", [new("n", bystander.Id, stat.StartTime, true)]));

            ProcessReaper.Reap(stateDir).Should().BeEmpty();

            IsAlive(bystander.Id).Should().BeTrue();
            File.Exists(Path.Combine(stateDir, "topology-dead.json")).Should().BeFalse("a dead harness's file is consumed");
            File.Exists(Path.Combine(stateDir, "topology-live.json")).Should().BeTrue();

            // A file naming the bystander's true pid and start time, but the bystander does not carry that harness's
            // mark in its environment: whoever wrote the file, the process is not a child of that harness.
            await WriteStateAsync(stateDir, "planted", new TopologyState(boot, 0x3FFFFFF0, 1, "/x", [new("n", bystander.Id, stat.StartTime, false)]));
            ProcessReaper.Reap(stateDir).Should().BeEmpty();
            IsAlive(bystander.Id).Should().BeTrue("a state file cannot make the reaper kill an unrelated process");

            // A real leftover of that (dead) harness: its pid, start time and mark; it dies.
            var start = new ProcessStartInfo("sleep", "60") { UseShellExecute = false };
            start.Environment[ParentWatch.EnvironmentVariable] = 0x3FFFFFF0.ToString(CultureInfo.InvariantCulture);
            using var leftover = Process.Start(start)!;
            ProcFs.TryReadStat(leftover.Id, out var leftoverStat).Should().BeTrue();
            await WriteStateAsync(stateDir, "dead2", new TopologyState(boot, 0x3FFFFFF0, 1, "/x", [new("n", leftover.Id, leftoverStat.StartTime, false)]));
            ProcessReaper.Reap(stateDir).Should().Equal(leftover.Id);
            await leftover.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        }
        finally
        {
            if (!bystander.HasExited)
            {
                bystander.Kill();
            }
        }
    }

    [Fact(Timeout = 30_000)]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task The_reaper_trusts_only_a_private_state_directory_and_files_this_user_owns()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "owners and modes are Linux's here");
        var stateDir = NewTempDirectory("state");
        File.SetUnixFileMode(stateDir, (UnixFileMode)0x1FF); // 0777: anyone could have planted a file
        ProcessReaper.Reap(stateDir);
        File.GetUnixFileMode(stateDir).Should().Be(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, "a state directory of ours is made private");

        var link = Path.Combine(NewTempDirectory("link"), "state");
        Directory.CreateSymbolicLink(link, stateDir);
        var viaLink = () => ProcessReaper.Reap(link);
        viaLink.Should().Throw<TopologyException>().WithMessage("*not a directory*");

        if (OwnedFiles.EffectiveUserId == 0)
        {
            // root can hand a file to another user: a file someone else wrote is neither read nor deleted
            using var leftover = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false, Environment = { [ParentWatch.EnvironmentVariable] = "1073741808" } })!;
            try
            {
                ProcFs.TryReadStat(leftover.Id, out var stat).Should().BeTrue();
                await WriteStateAsync(stateDir, "foreign", new TopologyState(ProcFs.BootId(), 0x3FFFFFF0, 1, "/x", [new("n", leftover.Id, stat.StartTime, false)]));
                var foreign = Path.Combine(stateDir, "topology-foreign.json");
                using (var chown = Process.Start("chown", ["65534", foreign]))
                {
                    await chown.WaitForExitAsync(TestContext.Current.CancellationToken);
                    chown.ExitCode.Should().Be(0);
                }

                ProcessReaper.Reap(stateDir).Should().BeEmpty("the file is not this user's");
                File.Exists(foreign).Should().BeTrue();
                IsAlive(leftover.Id).Should().BeTrue();
            }
            finally
            {
                leftover.Kill();
            }
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task The_reaper_removes_a_dead_harness_s_own_runtime_socket_and_pipes_and_nothing_that_is_not_exactly_them()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "file types and owners are read with statx (Linux)");
        var stateDir = NewTempDirectory("state");
        var runtimeDir = NewTempDirectory("runtime");
        var boot = ProcFs.BootId();
        const int dead = 0x3FFFFFF0, otherDead = 0x3FFFFFF1;
        const long started = 4242;
        // what a SIGKILLed .NET process leaves: its diagnostics socket and debugger pipes, named by pid and start time
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(runtimeDir, $"dotnet-diagnostic-{dead}-{started}-socket")));
        await MakeFifoAsync(Path.Combine(runtimeDir, $"clr-debug-pipe-{dead}-{started}-in"));
        await MakeFifoAsync(Path.Combine(runtimeDir, $"clr-debug-pipe-{dead}-{started}-out"));
        // not that process's: the same pid with another start time (an earlier process that had the pid), and a
        // regular file by the exact name another dead harness's socket would have (someone else's file, not a socket)
        await MakeFifoAsync(Path.Combine(runtimeDir, $"clr-debug-pipe-{dead}-{started + 1}-in"));
        await File.WriteAllTextAsync(Path.Combine(runtimeDir, $"dotnet-diagnostic-{otherDead}-{started}-socket"), "not a socket", TestContext.Current.CancellationToken);
        await WriteStateAsync(stateDir, "dead", new TopologyState(boot, dead, started, "/x", []));
        await WriteStateAsync(stateDir, "other", new TopologyState(boot, otherDead, started, "/x", []));

        ProcessReaper.Reap(stateDir, runtimeDirectory: runtimeDir);

        Directory.GetFileSystemEntries(runtimeDir).Select(Path.GetFileName).Should().BeEquivalentTo(
            [$"clr-debug-pipe-{dead}-{started + 1}-in", $"dotnet-diagnostic-{otherDead}-{started}-socket"]);
        Directory.GetFiles(stateDir).Should().BeEmpty();
    }

    private static async Task MakeFifoAsync(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
        mkfifo.ExitCode.Should().Be(0);
    }

    [Fact]
    public void The_reaper_skips_a_state_file_that_vanishes_while_it_reads_so_concurrent_runs_never_fail_each_other()
    {
        // A concurrent harness disposing its topology deletes its file between the reaper's listing and its read; a
        // dangling link is that moment made permanent. (A CI run once failed at start on exactly this.)
        var stateDir = NewTempDirectory("state");
        File.CreateSymbolicLink(Path.Combine(stateDir, "topology-vanished.json"), Path.Combine(stateDir, "deleted-meanwhile.json"));

        var reap = () => ProcessReaper.Reap(stateDir);

        reap.Should().NotThrow().Which.Should().BeEmpty();
    }

    /// <summary>Whatever the outcome, a failed test must not leak: kill the stand-in and reap its state directory.</summary>
    private sealed class LeftoverCleanup(Process harness, string stateDir) : IDisposable
    {
        public void Dispose()
        {
            if (!harness.HasExited)
            {
                harness.Kill();
                harness.WaitForExit(10_000);
            }

            ProcessReaper.Reap(stateDir);
            harness.Dispose();
        }
    }

    private static Task WriteStateAsync(string dir, string name, TopologyState state) =>
        File.WriteAllTextAsync(
            Path.Combine(dir, $"topology-{name}.json"),
            JsonSerializer.Serialize(state, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase }),
            TestContext.Current.CancellationToken);

    private static Task<(Process Harness, List<int> Pids, string StateDir)> StartStandInHarnessAsync(string serveArgs, params string[] harnessArgs) =>
        StartStandInHarnessAsync(serveArgs, keepDiagnostics: false, harnessArgs);

    private static async Task<(Process Harness, List<int> Pids, string StateDir)> StartStandInHarnessAsync(string serveArgs, bool keepDiagnostics, params string[] harnessArgs)
    {
        var runDir = NewTempDirectory("run");
        var stateDir = NewTempDirectory("state");
        var psi = new ProcessStartInfo(ToolLocator.DotnetHost())
        {
            ArgumentList = { ProbeDll, "topology-harness", "--run", runDir, "--state", stateDir, "--nodes", "2", "--serve-args", serveArgs },
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in harnessArgs)
        {
            psi.ArgumentList.Add(arg);
        }

        if (!keepDiagnostics)
        {
            ChildDiagnostics.TurnOff(psi); // the stand-in harness is SIGKILLed: no diagnostics files left in /tmp
        }

        var harness = Process.Start(psi)!;
        var seen = new List<string>();
        try
        {
            await WaitForLineAsync(harness.StandardOutput, "ready", TimeSpan.FromSeconds(60), seen);
        }
        catch
        {
            harness.Kill(entireProcessTree: true);
            throw;
        }

        var pids = seen.Where(l => l.StartsWith("node ", StringComparison.Ordinal) || l.StartsWith("grandchild ", StringComparison.Ordinal))
            .Select(l => int.Parse(l.Split(' ')[^1], CultureInfo.InvariantCulture))
            .ToList();
        pids.Should().OnlyContain(p => IsAlive(p));
        return (harness, pids, stateDir);
    }
}
