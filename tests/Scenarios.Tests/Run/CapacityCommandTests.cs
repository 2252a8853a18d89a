using System.Text.Json;
using Chaos.Scenarios.Tests.Check;

namespace Chaos.Scenarios.Tests.Run;

/// <summary>`chaos capacity` end to end: real deployments stepped through rising rates, CPU read from /proc.</summary>
public sealed class CapacityCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "chaos-capacity-tests", Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task Steps_through_the_rates_and_reports_deliveries_latency_and_cpu_per_process()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "CPU shares are read from /proc (Linux only)");
        var dir = Path.Combine(_root, "cap");
        // a p99 limit no 2-core machine under a parallel test suite misses: this checks the measuring, not the machine
        var run = await ChaosCli.RunAsync(TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken,
            "capacity", "--from", "20", "--step", "20", "--to", "40", "--step-duration", "4s", "--idle", "3s", "--p99", "20s",
            "--users", "4", "--devices", "2", "--job-rate", "2", "--ramp", "1s", "--warmup", "2s", "--out", dir);

        run.ExitCode.Should().Be(0, $"stdout:\n{run.Stdout}\nstderr:\n{run.Stderr}");
        run.Stdout.Should().Contain("knee: 40 sends/s").And.Contain("the knee is above it (raise --to)");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "capacity.json"), TestContext.Current.CancellationToken));
        var steps = json.RootElement.GetProperty("steps").EnumerateArray().ToList();
        steps.Select(s => s.GetProperty("sendsPerSecond").GetDouble()).Should().Equal(20, 40);
        var stepDirs = Directory.GetDirectories(dir).Order(StringComparer.Ordinal).ToList();
        foreach (var (step, stepDir) in steps.Zip(stepDirs))
        {
            // a step that did not hold says why in its own run's summary: show it, not just the verdict
            var because = StepSummary(stepDir);
            step.GetProperty("held").GetBoolean().Should().BeTrue(because);
            step.GetProperty("verdict").GetString().Should().Be("valid", because);
            step.GetProperty("deliveriesPerSecond").GetDouble().Should().BeGreaterThan(0, "the window's deliveries are counted from the history");
            var cpu = step.GetProperty("cpu").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
            cpu.Keys.Should().Contain(["harness", "kafka", "api-1", "api-2", "gateway-1", "notifier-1", "jobs-1"], "every process of the deployment is measured");
            cpu["harness"].Should().BeGreaterThan(0, "the harness drove load in the window");
            File.ReadAllText(Path.Combine(stepDir, "summary.md")).Should().Contain("`p99=20000ms`", "a step's run is judged by the search's --p99, not the scenario's SLOs");
        }

        // twice the rate is about twice the deliveries (a wide band: the draws of recipients differ per step)
        var ratio = steps[1].GetProperty("deliveriesPerSecond").GetDouble() / steps[0].GetProperty("deliveriesPerSecond").GetDouble();
        ratio.Should().BeInRange(1.3, 2.7);
        json.RootElement.GetProperty("idleCpu").EnumerateObject().Select(p => p.Name).Should().Contain(["harness", "kafka", "api-1"]);
        File.ReadAllText(Path.Combine(dir, "capacity.md")).Should().Contain("| 40 |").And.Contain("Idle (deployed and settled, no load");
        Directory.GetDirectories(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).Should().Equal(["step-01-rate-20", "step-02-rate-40"], "each step is a whole run with its own folder");
    }

    private static string StepSummary(string stepDir)
    {
        var summary = Path.Combine(stepDir, "summary.md");
        return File.Exists(summary) ? $"{stepDir}/summary.md:\n{File.ReadAllText(summary)}" : $"{stepDir} has no summary.md";
    }

    [Theory]
    [InlineData(new[] { "capacity", "--from", "0" }, "--from")]
    [InlineData(new[] { "capacity", "--from", "500", "--to", "100" }, "from ≤ to")]
    [InlineData(new[] { "capacity", "--step", "1", "--to", "3000" }, "bigger steps")]
    [InlineData(new[] { "capacity", "--step-duration", "1s" }, "2 s..10 min")]
    [InlineData(new[] { "capacity", "--p99", "fast" }, "--p99")]
    [InlineData(new[] { "capacity", "--rate", "100" }, "--rate")]
    public async Task Bad_input_exits_2_naming_what_is_wrong(string[] args, string named)
    {
        var run = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken, args);

        run.ExitCode.Should().Be(2, run.Stdout + run.Stderr);
        (run.Stdout + run.Stderr).Should().Contain(named);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
