using System.Diagnostics;
using System.Text.Json;
using Chaos.Scenarios.Tests.Check;

namespace Chaos.Scenarios.Tests.Run;

/// <summary>`chaos run` end to end: real processes (embedded Kafka host, every role), real sockets, real checkers.</summary>
public sealed class RunCommandTests : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "chaos-run-tests", Guid.NewGuid().ToString("N")[..8]);

    private static string[] Short(string outDir, string duration = "6s") =>
        ["run", "steady-state", "--duration", duration, "--warmup", "3s", "--rate", "30", "--job-rate", "3", "--users", "4", "--devices", "2", "--out", outDir];

    [Fact]
    public async Task Steady_state_on_the_correct_system_holds_every_promise_and_leaves_nothing_behind()
    {
        var dir = Path.Combine(_root, "steady");
        var run = await ChaosCli.RunAsync(RunTimeout, TestContext.Current.CancellationToken, Short(dir));

        run.ExitCode.Should().Be(0, $"the correct system must pass steady-state; stdout:\n{run.Stdout}\nstderr:\n{run.Stderr}");
        foreach (var file in new[] { "history.jsonl", "results.json", "schedule.json", "check-options.json", "summary.md", "report.html", "junit.xml" })
        {
            File.Exists(Path.Combine(dir, file)).Should().BeTrue($"a run folder holds {file}");
        }

        Directory.GetFiles(Path.Combine(dir, "logs")).Should().Contain(f => f.EndsWith("kafka.log", StringComparison.Ordinal))
            .And.Contain(f => f.EndsWith("notifier-1.log", StringComparison.Ordinal));
        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "results.json"), TestContext.Current.CancellationToken));
        results.RootElement.GetProperty("valid").GetBoolean().Should().BeTrue();
        const string again = "chaos run steady-state --seed 1 --duration 6s --ramp 3s --warmup 3s --rate 30 --job-rate 3 --users 4 --devices 2 --max-recipients 8";
        run.Stdout.Should().Contain($"reproduce: {again}\n", "a run prints the command that runs it again");
        (await File.ReadAllTextAsync(Path.Combine(dir, "junit.xml"), TestContext.Current.CancellationToken)).Should()
            .Contain($"<property name=\"reproduce\" value=\"{again}\" />", "CI sees it next to a failure");

        var lines = await File.ReadAllLinesAsync(Path.Combine(dir, "history.jsonl"), TestContext.Current.CancellationToken);
        lines.Count(l => l.Contains("\"f\":\"deliver\"", StringComparison.Ordinal)).Should().BeGreaterThan(100, "the load must actually have been delivered");
        lines.Count(l => l.Contains("\"f\":\"sync\"", StringComparison.Ordinal)).Should().Be(8, "every device (4 users × 2) syncs in the final drain");
        lines.Should().Contain(l => l.Contains("\"f\":\"job-state\"", StringComparison.Ordinal) && l.Contains("\"done\"", StringComparison.Ordinal));
        lines.Should().Contain(l => l.Contains("\"f\":\"drain\"", StringComparison.Ordinal) && l.Contains("consumers caught up: True (notifier/fanout 0, jobs/jobs 0)", StringComparison.Ordinal),
            "the drain waits until every consumer group has committed everything on its topic");

        // the offline checker reproduces the run's verdict from the saved history
        var check = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken, "check", Path.Combine(dir, "history.jsonl"), "--out", Path.Combine(_root, "recheck"));
        check.ExitCode.Should().Be(0, check.Stdout + check.Stderr);
        check.Stdout.Should().Contain("check-options.json", "it judges by the run's own SLOs").And.Contain("steady:p99=");

        LeftoverProcesses(dir).Should().BeEmpty("a run never leaves a process behind");
    }

    [Theory]
    [InlineData(new[] { "run", "no-such-scenario" }, "no-such-scenario")]
    [InlineData(new[] { "run", "steady-state", "--duration", "soon" }, "--duration")]
    [InlineData(new[] { "run", "steady-state", "--defect", "no-such-defect" }, "no-such-defect")]
    [InlineData(new[] { "run", "steady-state", "--users", "-3" }, "--users")]
    [InlineData(new[] { "run", "steady-state", "--suite", "smoke" }, "either")]
    [InlineData(new[] { "run", "--suite", "weekly" }, "weekly")]
    [InlineData(new[] { "run", "steady-state", "--seed", "1", "--seed", "2" }, "--seed")]
    [InlineData(new[] { "run", "steady-state", "--no-such-option" }, "--no-such-option")]
    public async Task Bad_input_exits_2_naming_what_is_wrong(string[] args, string named)
    {
        var run = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken, args);

        run.ExitCode.Should().Be(2);
        (run.Stdout + run.Stderr).Should().Contain(named);
    }

    [Fact]
    public async Task A_run_into_a_folder_that_holds_anything_is_refused_and_the_folder_left_as_it_was()
    {
        // a previous run's system.db there would be this run's database: its inboxes replayed as "unexpected" messages
        var dir = Path.Combine(_root, "used");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "system.db"), "an old run's database", TestContext.Current.CancellationToken);

        var run = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken, Short(dir));

        run.ExitCode.Should().Be(2, run.Stdout + run.Stderr);
        run.Stderr.Should().Contain("is not empty").And.Contain(dir);
        Directory.GetFileSystemEntries(dir).Should().Equal([Path.Combine(dir, "system.db")]);
        (await File.ReadAllTextAsync(Path.Combine(dir, "system.db"), TestContext.Current.CancellationToken)).Should().Be("an old run's database");
    }

    [Fact]
    public async Task An_interrupted_run_heals_stops_everything_reports_and_exits_2()
    {
        var dir = Path.Combine(_root, "interrupted");
        using var process = Start(Short(dir, "60s"));
        await WaitForLineAsync(process, "] fault", TimeSpan.FromMinutes(2));

        Signal(process.Id, "INT");
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);

        process.ExitCode.Should().Be(2, "an aborted run could not be carried out");
        File.Exists(Path.Combine(dir, "summary.md")).Should().BeTrue("an aborted run still reports what it saw");
        LeftoverProcesses(dir).Should().BeEmpty();
    }

    [Fact]
    public async Task A_SIGKILLed_harness_leaves_no_process_behind()
    {
        var dir = Path.Combine(_root, "killed");
        using var process = Start(Short(dir, "60s"));
        await WaitForLineAsync(process, "] fault", TimeSpan.FromMinutes(2));
        LeftoverProcesses(dir).Should().NotBeEmpty("the run's processes are up before the kill (else this test proves nothing)");

        process.Kill(entireProcessTree: false); // SIGKILL the harness only: its children must notice on their own
        var deadline = Stopwatch.StartNew();
        while (LeftoverProcesses(dir).Count > 0 && deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }

        LeftoverProcesses(dir).Should().BeEmpty("children watch their parent and exit when it is gone");
    }

    /// <summary>Processes whose command line names the run folder (every role gets its database path there).</summary>
    internal static List<string> LeftoverProcesses(string runDir)
    {
        var found = new List<string>();
        foreach (var proc in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(proc), out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }

            try
            {
                var cmdline = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains(runDir, StringComparison.Ordinal) || (cmdline.Contains("chaos.dll kafka", StringComparison.Ordinal) && IsChildOfGone(proc)))
                {
                    found.Add($"{pid}: {cmdline}");
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;

        static bool IsChildOfGone(string proc) => File.ReadAllText(Path.Combine(proc, "environ")).Contains("CHAOS_PARENT_PID=", StringComparison.Ordinal)
            && File.ReadAllText(Path.Combine(proc, "stat")).Split(' ')[3] == "1";
    }

    private static Process Start(string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };

        // these tests SIGKILL the harness: it must leave no diagnostics socket or debugger pipes in /tmp
        start.Environment["DOTNET_EnableDiagnostics_IPC"] = "0";
        start.Environment["DOTNET_EnableDiagnostics_Debugger"] = "0";
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "chaos.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
    }

    private static async Task WaitForLineAsync(Process process, string text, TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        var seen = new List<string>();
        while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            seen.Add(line);
            if (line.Contains(text, StringComparison.Ordinal))
            {
                _ = DrainAsync(process.StandardOutput);
                _ = DrainAsync(process.StandardError);
                return;
            }
        }

        var stderr = await process.StandardError.ReadToEndAsync(cts.Token);
        await process.WaitForExitAsync(cts.Token);
        throw new InvalidOperationException(
            $"the run ended (exit {process.ExitCode}) before printing '{text}'; stdout:\n{string.Join('\n', seen)}\nstderr:\n{stderr}");

        static async Task DrainAsync(StreamReader reader)
        {
            try
            {
                await reader.ReadToEndAsync();
            }
            catch (IOException)
            {
            }
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {pid}");
        kill.WaitForExit(5000);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
