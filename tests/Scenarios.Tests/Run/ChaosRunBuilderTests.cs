using Chaos.Harness.Checkers;
using Chaos.Harness.Faults.Schedule;
using Chaos.Testing;

namespace Chaos.Scenarios.Tests.Run;

/// <summary>
/// The testing package's run builder (docs/testing-package.md, "A chaos test") driving the real tool next to the
/// tests: the builder's command line, a real run's result and its assertions, the run that could not be done, and a
/// cancelled run stopped with nothing left behind.
/// </summary>
public sealed class ChaosRunBuilderTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "chaos-run-tests", Guid.NewGuid().ToString("N")[..8]);

    private ChaosRunBuilder Tool(string scenario) =>
        ChaosRunBuilder.Scenario(scenario).WithTool("dotnet", Path.Combine(AppContext.BaseDirectory, "chaos.dll")).WithReportsUnder(_root);

    [Fact]
    public void Each_with_returns_a_new_builder_and_leaves_the_old_one_as_it_was()
    {
        var baseline = ChaosRunBuilder.Scenario("websocket-cut");
        var varied = baseline.WithSeed(7).WithDuration(TimeSpan.FromMilliseconds(1500)).WithLoad(30, 10)
            .WithDefect("no-dedupe").WithDefect("unkeyed-partitioning").WithArguments("--topology", "processes");

        baseline.Arguments("/r").Should().Equal("run", "websocket-cut", "--out", "/r", "--quiet");
        var args = varied.Arguments("/r");
        args.Should().Equal("run", "websocket-cut", "--seed", "7", "--duration", args[5], "--rate", "30", "--users", "10",
            "--defect", "no-dedupe", "--defect", "unkeyed-partitioning", "--topology", "processes", "--out", "/r", "--quiet");
        DurationText.Parse(args[5]).Should().Be(TimeSpan.FromMilliseconds(1500));
        baseline.WithSystem("sys.yaml").Arguments("/r").Should().ContainInConsecutiveOrder("--system", Path.GetFullPath("sys.yaml"));
    }

    [Fact]
    public void Values_no_run_could_take_are_refused_when_given()
    {
        var builder = ChaosRunBuilder.Scenario("steady-state");

        ((Action)(() => ChaosRunBuilder.Scenario(" "))).Should().Throw<ArgumentException>();
        ((Action)(() => builder.WithSeed(-1))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*seed*");
        ((Action)(() => builder.WithDuration(TimeSpan.Zero))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*duration*");
        ((Action)(() => builder.WithLoad(-1, 3))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*rate*");
        ((Action)(() => builder.WithLoad(10, 0))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*users*");
        ((Action)(() => builder.WithTimeout(TimeSpan.FromSeconds(-1)))).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task A_run_returns_the_tools_verdict_the_checked_history_and_the_reproduce_command()
    {
        var result = await Tool("steady-state").WithSeed(1).WithDuration(TimeSpan.FromSeconds(4)).WithLoad(30, 5)
            .RunAsync(TestContext.Current.CancellationToken);

        result.ExitCode.Should().Be(0, result.Output);
        result.Should().HoldEveryPromise().And.HaveNo(AnomalyNames.Lost).And.KeepP99(LatencyThreshold.Steady, TimeSpan.FromSeconds(5));
        result.Check.Verdict.Should().Be(Verdict.Valid, "the history checked again by the run's own options agrees with the tool");
        result.Latency.CountOf(LatencyThreshold.Steady).Should().BeGreaterThan(50, "the load was delivered and measured");
        result.Reproduce.Should().StartWith("chaos run steady-state --seed 1 --duration 4s");
        result.Folder.Should().StartWith(_root);
        TestContext.Current.Attachments.Should().ContainKey($"chaos/{Path.GetFileName(result.Folder)}/results.json", "the folder is attached to the test");

        // a failing assertion names the evidence, the reproduce command and the folder
        var tooFast = () => result.Should().KeepP99(LatencyThreshold.Steady, TimeSpan.FromTicks(1));
        tooFast.Should().Throw<Exception>().WithMessage("*p99*").WithMessage($"*{result.Reproduce}*").WithMessage($"*{result.Folder}*");
        var expectDuplicates = () => result.Should().Have(AnomalyNames.Duplicate);
        expectDuplicates.Should().Throw<Exception>().WithMessage("*to have duplicate*found none*");
        RunCommandTests.LeftoverProcesses(result.Folder).Should().BeEmpty();
    }

    [Fact]
    public async Task A_run_that_could_not_be_done_throws_with_what_the_tool_said()
    {
        var unknown = () => Tool("no-such-scenario").RunAsync(TestContext.Current.CancellationToken);
        var thrown = await unknown.Should().ThrowAsync<ChaosRunException>();
        thrown.Which.ExitCode.Should().Be(2);
        thrown.Which.Message.Should().Contain("exit 2").And.Contain("no-such-scenario");

        var missing = () => ChaosRunBuilder.Scenario("steady-state").WithTool(Path.Combine(_root, "no-such-chaos")).WithReportsUnder(_root)
            .RunAsync(TestContext.Current.CancellationToken);
        (await missing.Should().ThrowAsync<ChaosRunException>()).Which.Message.Should().Contain("no-such-chaos").And.Contain(ChaosRunBuilder.ToolVariable);
    }

    [Fact]
    public async Task A_cancelled_run_is_stopped_heals_reports_and_leaves_nothing_behind()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await Tool("steady-state").WithDuration(TimeSpan.FromSeconds(60)).WithLoad(20, 4).StartAsync(ct);
        var history = Path.Combine(run.Folder, "history.jsonl");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (!(File.Exists(history) && RunCommandTests.LeftoverProcesses(run.Folder).Count > 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250, ct);
        }

        RunCommandTests.LeftoverProcesses(run.Folder).Should().NotBeEmpty("the run's nodes are up before the cancel (else this test proves nothing)");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cancel.CancelAfter(TimeSpan.FromSeconds(1));

        var wait = () => run.WaitAsync(cancel.Token);

        await wait.Should().ThrowAsync<OperationCanceledException>();
        ((Action)(() => System.Diagnostics.Process.GetProcessById(run.ProcessId))).Should().Throw<ArgumentException>("the tool has exited");
        File.Exists(Path.Combine(run.Folder, "summary.md")).Should().BeTrue("a stopped run still reports what it saw (SIGTERM, not a kill)");
        RunCommandTests.LeftoverProcesses(run.Folder).Should().BeEmpty();
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
