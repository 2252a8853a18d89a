using System.Diagnostics;
using Chaos.Harness.Checkers;
using Chaos.Harness.History;
using Chaos.Harness.Reports;
using Chaos.Testing;
using FluentAssertions;

namespace Chaos.SampleTests;

/// <summary>
/// Chaos tests as a user writes them in their own test project today: the installed <c>chaos</c> tool runs a scenario
/// against the reference system it carries, and the test asserts on the history it recorded with Chaos.Testing — the
/// promises, an expected anomaly, a latency bound — and attaches the run's folder to its result.
/// </summary>
public sealed class ReferenceSystemChaosTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Steady_state_keeps_every_promise_and_its_latency_bound()
    {
        var run = await ChaosTool.RunAsync("steady-state", "--seed", "1", "--duration", "5s", "--rate", "30", "--users", "10");

        run.ExitCode.Should().Be(0, run.Output);
        var result = await run.CheckAsync();
        result.Should().HoldEveryPromise().And.HaveNo(AnomalyNames.Duplicate);
        // a bound of our own, loose enough for a shared CI machine at this light load
        (await run.LatencyAsync()).Should().KeepP99(LatencyThreshold.Steady, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Websocket_cuts_lose_nothing_and_duplicate_nothing()
    {
        var run = await ChaosTool.RunAsync("websocket-cut", "--seed", "2", "--duration", "12s", "--rate", "30", "--users", "10");

        run.ExitCode.Should().Be(0, run.Output);
        (await run.CheckAsync()).Should().HoldEveryPromise().And.HaveNo(AnomalyNames.Lost).And.HaveNo(AnomalyNames.Duplicate);
    }

    [Fact]
    public async Task Replayed_events_without_dedupe_are_caught_as_duplicates()
    {
        // the reference system's no-dedupe defect switch: the notifier does not deduplicate replayed records
        var run = await ChaosTool.RunAsync("duplicate-replay", "--seed", "1", "--duration", "8s", "--rate", "30", "--users", "10", "--defect", "no-dedupe");

        run.ExitCode.Should().Be(1, "a broken promise is exit 1: " + run.Output);
        var result = await run.CheckAsync();
        var held = () => result.Should().HaveNo(AnomalyNames.Duplicate);
        held.Should().Throw<Exception>().WithMessage("*duplicate ×*");
    }

    /// <summary>One finished run of the tool: its exit code, what it printed, and its folder.</summary>
    private sealed record ChaosRun(int ExitCode, string Output, string Folder)
    {
        private string HistoryPath => Path.Combine(Folder, "history.jsonl");

        /// <summary>The recorded history checked again by the library, its reports in <c>checked/</c>.</summary>
        public Task<CheckResult> CheckAsync() =>
            OfflineCheck.RunAsync(HistoryPath, Path.Combine(Folder, "checked"), HistoryReadMode.Strict, new CheckOptions(), new RunMetadata(), Ct);

        /// <summary>Delivery latency measured from the recorded history.</summary>
        public async Task<LatencyAnalysis> LatencyAsync() =>
            LatencyAnalysis.For((await HistoryReader.ReadAllAsync(HistoryPath, HistoryReadMode.Strict, Ct)).Events);
    }

    private static class ChaosTool
    {
        /// <summary>The tool: <c>CHAOS_TOOL</c>, or <c>chaos</c> on the PATH.</summary>
        private static string Path => Environment.GetEnvironmentVariable("CHAOS_TOOL") is { Length: > 0 } tool ? tool : "chaos";

        /// <summary>Reports go under <c>CHAOS_SAMPLE_REPORTS</c> (CI keeps them), else a temporary folder.</summary>
        private static string Reports => Environment.GetEnvironmentVariable("CHAOS_SAMPLE_REPORTS") is { Length: > 0 } reports
            ? reports
            : System.IO.Path.Combine(System.IO.Path.GetTempPath(), "chaos-sample-tests");

        public static async Task<ChaosRun> RunAsync(string scenario, params string[] arguments)
        {
            var folder = System.IO.Path.GetFullPath(System.IO.Path.Combine(Reports, $"{scenario}-{Guid.NewGuid():N}"[..(scenario.Length + 9)]));
            var start = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in (string[])["run", scenario, .. arguments, "--out", folder, "--quiet"])
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync(Ct);
            var stderr = process.StandardError.ReadToEndAsync(Ct);
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            bound.CancelAfter(TimeSpan.FromMinutes(4));
            try
            {
                await process.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true); // the harness stops what it started when it dies
                throw;
            }

            var output = $"{await stdout}{await stderr}";
            TestContext.Current.SendDiagnosticMessage(output);
            if (Directory.Exists(folder))
            {
                ChaosAttachments.AttachRunFolder(folder);
            }

            return new ChaosRun(process.ExitCode, output, folder);
        }
    }
}
