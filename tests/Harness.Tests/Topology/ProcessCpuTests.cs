using System.Diagnostics;
using Chaos.Harness.Topology.Processes;

namespace Chaos.Harness.Tests.Topology;

public sealed class ProcessCpuTests
{
    [Fact]
    public void Shares_are_the_cpu_time_each_process_used_over_the_window()
    {
        var hz = ProcessCpu.TicksPerSecond;
        ProcessCpuTime[] before = [new(1, 10, "harness", 0), new(2, 20, "kafka", 5 * hz), new(3, 30, "api-1", 0)];
        ProcessCpuTime[] after = [new(1, 10, "harness", hz / 2), new(2, 20, "kafka", 7 * hz), new(3, 31, "api-1", hz), new(4, 40, "api-2", hz)];

        var shares = ProcessCpu.Between(before, after, TimeSpan.FromSeconds(2));

        // kafka used 2 s in 2 s (one core), the harness 0.5 s (a quarter); api-1's pid was reused and api-2 is new: neither
        // has a whole window to be measured over
        shares.Should().Equal(new ProcessCpuShare("kafka", 100), new ProcessCpuShare("harness", 25));
    }

    [Fact]
    public async Task A_busy_child_shows_as_most_of_a_core_and_a_sleeping_one_as_none()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads /proc (Linux only)");
        // this process's guard (an sh too, started by any topology made in this process): reported as the guard
        HarnessGuard.EnsureStarted(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).Should().NotBeNull();
        using var busy = Process.Start(new ProcessStartInfo("sh", ["-c", "while :; do :; done"]))!;
        using var sleeping = Process.Start(new ProcessStartInfo("sleep", ["30"]))!;
        try
        {
            var shares = await ProcessCpu.MeasureAsync(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken);

            shares.Should().Contain(s => s.Name == "harness", "the measuring process itself is always measured");
            shares.Should().ContainSingle(s => s.Name == "guard").Which.Percent.Should().BeLessThan(5, "the guard wakes four times a second");
            // a spinning shell gets at least a good part of a core even beside a parallel test suite on 2 cores
            shares.Single(s => s.Name == "sh").Percent.Should().BeInRange(20, 105);
            shares.Single(s => s.Name == "sleep").Percent.Should().BeLessThan(2);
        }
        finally
        {
            busy.Kill();
            sleeping.Kill();
        }
    }
}
