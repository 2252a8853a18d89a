using System.Text.Json;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Runs;
using Chaos.Harness.Workload;
using Chaos.Reference.Adapter;
using Chaos.Scenarios.Catalog;
using Chaos.Scenarios.Tests.Check;

namespace Chaos.Scenarios.Tests.Network;

/// <summary>
/// websocket-cut and mobile-sleep-wake end to end (real processes, real proxies, real checkers), short and with a
/// fixed seed: they pass on the correct system, catch the defects they exist for, and refuse a vacuous pass.
/// </summary>
public sealed class NetworkScenarioTests : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "chaos-network-tests", Guid.NewGuid().ToString("N")[..8]);

    private static string[] Short(string scenario, string outDir, string duration, params string[] extra) =>
        ["run", scenario, "--seed", "2", "--duration", duration, "--warmup", "3s", "--rate", "30", "--job-rate", "2", "--users", "4", "--devices", "2", "--out", outDir, .. extra];

    [Fact]
    public async Task Websocket_cut_on_the_correct_system_holds_every_promise_with_its_cuts_and_crash_in_the_history()
    {
        var dir = Path.Combine(_root, "wsc");
        var run = await ChaosCli.RunAsync(RunTimeout, TestContext.Current.CancellationToken, Short("websocket-cut", dir, "12s"));

        await ShouldHoldEveryPromiseAsync(run, dir);
        var faults = await AppliedFaultsAsync(dir);
        faults.Should().Contain(["reset-mid-frame", "crash", "down", "reset_peer", "slicer", "latency"]);
        (await HistoryLinesAsync(dir)).Count(l => l.Contains("\"f\":\"drop\"", StringComparison.Ordinal))
            .Should().BePositive("devices persist every 4th frame, so resumes replay frames the client must drop");
    }

    [Theory]
    [InlineData("no-resume", new[] { "skip", "unseen" })]
    [InlineData("client-no-dedupe", new[] { "duplicate" })]
    public async Task Websocket_cut_catches_the_defect(string defect, string[] anomalies)
    {
        var dir = Path.Combine(_root, defect);
        var run = await ChaosCli.RunAsync(RunTimeout, TestContext.Current.CancellationToken, Short("websocket-cut", dir, "10s", "--defect", defect));

        run.ExitCode.Should().Be(1, $"websocket-cut must catch {defect}; stdout:\n{run.Stdout}\nstderr:\n{run.Stderr}");
        var found = await AnomaliesAsync(dir);
        found.Should().Contain(anomalies);
    }

    [Fact]
    public async Task Mobile_sleep_wake_on_the_correct_system_holds_every_promise_with_sleeps_switches_kills_and_a_read_stall_in_the_history()
    {
        var dir = Path.Combine(_root, "msw");
        var run = await ChaosCli.RunAsync(RunTimeout, TestContext.Current.CancellationToken, Short("mobile-sleep-wake", dir, "14s"));

        await ShouldHoldEveryPromiseAsync(run, dir);
        (await AppliedFaultsAsync(dir)).Should().Contain(["sleep", "network-switch", "app-kill", "read-stall"]);
        Directory.GetFiles(Path.Combine(dir, "devices"), "*.seq").Should().NotBeEmpty("apps persist their last sequence in the run folder");
    }

    [Fact]
    public async Task A_run_whose_faults_do_nothing_is_unknown_not_valid()
    {
        var scenario = new InertFaults(ScenarioCatalog.Find("mobile-sleep-wake")!);
        var outcome = await RunPipeline.RunAsync(
            scenario,
            new RunOptions
            {
                Seed = 2,
                Duration = TimeSpan.FromSeconds(12),
                Warmup = TimeSpan.FromSeconds(2),
                Recovery = TimeSpan.FromSeconds(2),
                Workload = new ChatWorkloadOptions { Rate = 20, JobRate = 1, Users = 4, Devices = 2 },
                System = ReferenceSystemAdapter.Instance,
                OutputDirectory = Path.Combine(_root, "inert"),
            },
            null,
            TestContext.Current.CancellationToken).WaitAsync(RunTimeout, TestContext.Current.CancellationToken);

        outcome.Verdict.Should().Be(Chaos.Harness.Checkers.Verdict.Unknown, outcome.Message);
        outcome.Message.Should().Contain("did not take effect");
    }

    [Theory]
    [InlineData("websocket-cut")]
    [InlineData("mobile-sleep-wake")]
    public async Task The_same_seed_gives_the_same_schedule_file_byte_for_byte(string name)
    {
        var scenario = ScenarioCatalog.Find(name)!;
        var a = Path.Combine(_root, name + "-a.json");
        var b = Path.Combine(_root, name + "-b.json");
        var c = Path.Combine(_root, name + "-c.json");
        Directory.CreateDirectory(_root);
        var ct = TestContext.Current.CancellationToken;
        await FaultScheduleFile.SaveAsync(scenario.BuildSchedule(7, TimeSpan.FromSeconds(30)), a, ct);
        await FaultScheduleFile.SaveAsync(scenario.BuildSchedule(7, TimeSpan.FromSeconds(30)), b, ct);
        await FaultScheduleFile.SaveAsync(scenario.BuildSchedule(8, TimeSpan.FromSeconds(30)), c, ct);

        (await File.ReadAllBytesAsync(a, ct)).Should().Equal(await File.ReadAllBytesAsync(b, ct));
        (await File.ReadAllBytesAsync(a, ct)).Should().NotEqual(await File.ReadAllBytesAsync(c, ct), "another seed draws other targets and times");
        scenario.BuildSchedule(7, TimeSpan.FromSeconds(30)).Entries.Should().OnlyContain(e => scenario.Catalogue.IsKnownFault(e.Fault) && scenario.Catalogue.TargetsOf(e.Fault).Contains(e.Target), "an incident file may name every scheduled fault");
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

    /// <summary>
    /// Exit 0 — except that on a machine loaded far beyond its cores the warm-up latency SLO alone may fail (exit 1):
    /// that is tolerated, any other anomaly or an undecided run (faults not verified) is not.
    /// </summary>
    private static async Task ShouldHoldEveryPromiseAsync(ChaosCli.Outcome run, string dir)
    {
        var diagnostics = $"stdout:\n{run.Stdout}\nstderr:\n{run.Stderr}";
        run.ExitCode.Should().BeOneOf([0, 1], diagnostics);
        (await AnomaliesAsync(dir)).Should().BeSubsetOf(["latency-slo"], "the correct system breaks no promise; " + diagnostics);
    }

    private static async Task<string[]> HistoryLinesAsync(string dir) =>
        await File.ReadAllLinesAsync(Path.Combine(dir, "history.jsonl"), TestContext.Current.CancellationToken);

    /// <summary>The names of the faults recorded as applied (<c>fault</c> events of type ok).</summary>
    private static async Task<HashSet<string>> AppliedFaultsAsync(string dir)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in await HistoryLinesAsync(dir))
        {
            using var e = JsonDocument.Parse(line);
            if (e.RootElement.GetProperty("f").GetString() == "fault" && e.RootElement.GetProperty("type").GetString() == "ok")
            {
                names.Add(e.RootElement.GetProperty("value").GetProperty("fault").GetString()!);
            }
        }

        return names;
    }

    private static async Task<List<string>> AnomaliesAsync(string dir)
    {
        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "results.json"), TestContext.Current.CancellationToken));
        return [.. results.RootElement.GetProperty("anomalies").EnumerateObject().Where(p => Count(p.Value) > 0).Select(p => p.Name)];

        static long Count(JsonElement anomaly) => anomaly.ValueKind == JsonValueKind.Object && anomaly.TryGetProperty("count", out var c) ? c.GetInt64() : 1;
    }

    /// <summary>The scenario's own schedule and took-effect check, but every fault is made to do nothing.</summary>
    private sealed class InertFaults(Scenario inner) : Scenario
    {
        public override string Name => inner.Name;

        public override string Description => inner.Description;

        public override Chaos.Harness.Deployment.SystemRequirements ConfigureSystem(Chaos.Harness.Deployment.SystemRequirements requirements) => inner.ConfigureSystem(requirements);

        public override ChatWorkloadOptions ConfigureWorkload(ChatWorkloadOptions options) => inner.ConfigureWorkload(options);

        public override FaultSchedule BuildSchedule(long seed, TimeSpan duration) => inner.BuildSchedule(seed, duration);

        public override IFault CreateFault(FaultScheduleEntry entry, RunContext context) => new Inert(entry.Fault, entry.Target);

        public override Task<string?> VerifyFaultsTookEffectAsync(RunContext context, CancellationToken cancellationToken) => inner.VerifyFaultsTookEffectAsync(context, cancellationToken);
    }

    private sealed class Inert(string name, string target) : IFault
    {
        public string Name => name;

        public string Target => target;

        public Task ApplyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task HealAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
