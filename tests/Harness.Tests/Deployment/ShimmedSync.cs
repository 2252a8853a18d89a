using System.Diagnostics;
using Chaos.Harness.Deployment;

namespace Chaos.Harness.Tests.Deployment;

/// <summary>
/// A real process that syncs a file with the slow-fsync shim preloaded: coreutils' <c>sync FILE</c> calls fsync(2) on
/// it, <c>sync -d FILE</c> fdatasync(2).
/// </summary>
internal static class ShimmedSync
{
    /// <summary>Runs <c>sync [flag] FILE</c> with <paramref name="shim"/>'s variables; returns how long it took.</summary>
    public static TimeSpan Run(FsyncShim shim, string file, string? flag = null)
    {
        var start = new ProcessStartInfo("sync") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var (key, value) in shim.NodeEnvironment)
        {
            start.Environment[key] = value;
        }

        if (flag is not null)
        {
            start.ArgumentList.Add(flag);
        }

        start.ArgumentList.Add(file);
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit(TimeSpan.FromSeconds(30)).Should().BeTrue("sync exits");
        clock.Stop();
        process.ExitCode.Should().Be(0, errors);
        return clock.Elapsed;
    }
}
