using System.Diagnostics;
using Chaos.Harness.Topology;
using Microsoft.Extensions.Time.Testing;

namespace Chaos.Harness.Tests.Topology;

public sealed class ParentWatchTests
{
    [Fact(Timeout = 30_000)]
    public async Task Start_ParentExits_CancelsTokenAndCallsBackOnce()
    {
        using var parent = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        var calls = 0;
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watch = ParentWatch.Start(parent.Id, () => { Interlocked.Increment(ref calls); called.TrySetResult(); }, TimeSpan.FromMilliseconds(50));
        watch.IsParentGone().Should().BeFalse();
        watch.ParentGone.IsCancellationRequested.Should().BeFalse();

        parent.Kill();

        await called.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        watch.ParentGone.IsCancellationRequested.Should().BeTrue();
        watch.IsParentGone().Should().BeTrue();
        calls.Should().Be(1);
    }

    [Fact]
    public void IsParentGone_LiveProcess_IsFalse_AndUnknownPid_IsTrue()
    {
        using var self = ParentWatch.Start(Environment.ProcessId, () => { });
        self.IsParentGone().Should().BeFalse();

        using var nobody = ParentWatch.Start(0x3FFFFFF0, () => { });
        nobody.IsParentGone().Should().BeTrue();
    }

    [Fact(Timeout = 30_000)]
    public async Task IsParentGone_ParentIsAZombie_IsTrue()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "zombies are read from /proc (Linux only)");
        // a background `read` that exits when the shell's input closes, under a shell exec'd into a sleep that never
        // reaps it: a dead process whose /proc entry remains
        using var shell = Process.Start(new ProcessStartInfo("sh", ["-c", "exec 3<&0; read x <&3 & echo $!; exec sleep 60 3<&-"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            var pid = int.Parse((await shell.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken))!, System.Globalization.CultureInfo.InvariantCulture);
            using var watch = ParentWatch.Start(pid, () => { }, TimeSpan.FromHours(1));
            watch.IsParentGone().Should().BeFalse();

            // the shell must have become the sleep before its `read` dies: a shell still running would reap it
            // (a race that showed under parallel tests as a zombie whose /proc entry was already gone)
            for (var i = 0; i < 200 && !IsSleep(shell.Id); i++)
            {
                await Task.Delay(25, TestContext.Current.CancellationToken);
            }

            IsSleep(shell.Id).Should().BeTrue("the shell execs into sleep right after printing the pid");
            shell.StandardInput.Close();
            for (var i = 0; i < 100 && !watch.IsParentGone(); i++)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            Directory.Exists($"/proc/{pid}").Should().BeTrue("a zombie keeps its /proc entry");
            watch.IsParentGone().Should().BeTrue("a zombie is a dead parent");
        }
        finally
        {
            shell.Kill(entireProcessTree: true);
        }
    }

    private static bool IsSleep(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim() == "sleep";
        }
        catch (IOException)
        {
            return false;
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task Start_ParentExits_IsNoticedAtTheNextPollOfTheInjectedClock()
    {
        var clock = new FakeTimeProvider();
        using var parent = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        var calls = 0;
        using var watch = ParentWatch.Start(parent.Id, () => Interlocked.Increment(ref calls), TimeSpan.FromMilliseconds(250), clock);
        parent.Kill();
        await parent.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        watch.IsParentGone().Should().BeTrue();

        clock.Advance(TimeSpan.FromMilliseconds(249));
        calls.Should().Be(0, "no poll has run since the parent died");

        clock.Advance(TimeSpan.FromMilliseconds(1));
        calls.Should().Be(1);
        watch.ParentGone.IsCancellationRequested.Should().BeTrue();

        clock.Advance(TimeSpan.FromSeconds(5));
        calls.Should().Be(1, "the callback runs once");
    }
}
