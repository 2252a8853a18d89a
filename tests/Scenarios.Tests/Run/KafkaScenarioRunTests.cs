using System.Text.Json;
using Chaos.Harness.Checkers;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Runs;
using Chaos.Harness.Workload;
using Chaos.Reference.Adapter;
using Chaos.Scenarios.Catalog;
using Chaos.Scenarios.Tests.Check;

namespace Chaos.Scenarios.Tests.Run;

/// <summary>
/// The Kafka scenarios end to end (real processes, embedded cluster): each passes on the correct system with nemesis
/// events in its history, and each catches the defect it exists for. Short durations; seed 1.
/// </summary>
public sealed class KafkaScenarioRunTests : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "chaos-kafka-scenario-tests", Guid.NewGuid().ToString("N")[..8]);

    private static string[] Args(string scenario, string duration, string outDir, params string[] extra) =>
        ["run", scenario, "--seed", "1", "--duration", duration, "--warmup", "2s", "--rate", "30", "--job-rate", "3", "--users", "4", "--devices", "2", "--out", outDir, .. extra];

    [Fact]
    public async Task Kafka_rebalance_on_the_correct_system_keeps_every_promise_through_scale_out_scale_in_and_a_zombie()
    {
        var dir = Path.Combine(_root, "rebalance");
        var run = await ChaosCli.RunAsync(RunTimeout, Ct, Args("kafka-rebalance", "18s", dir));

        run.ExitCode.Should().Be(0, Explain(run, dir));
        var nemesis = await NemesisOkAsync(dir);
        nemesis.Should().Contain(["fault:scale-out", "heal:scale-out", "fault:scale-in", "heal:scale-in", "fault:zombie-consumer", "heal:zombie-consumer"]);
        File.Exists(Path.Combine(dir, "logs", "notifier-3.log")).Should().BeTrue("the scale-out launched a third notifier");
    }

    [Fact]
    public async Task Kafka_rebalance_catches_unkeyed_partitioning_as_order_inversion()
    {
        var dir = Path.Combine(_root, "rebalance-unkeyed");
        var run = await ChaosCli.RunAsync(RunTimeout, Ct, Args("kafka-rebalance", "18s", dir, "--defect", "unkeyed-partitioning"));

        run.ExitCode.Should().Be(1, Explain(run, dir));
        (await AnomaliesAsync(dir)).Should().Contain(AnomalyNames.OrderInversion);
    }

    [Fact]
    public async Task Duplicate_replay_on_the_correct_system_dedupes_every_replayed_record()
    {
        var dir = Path.Combine(_root, "replay");
        var run = await ChaosCli.RunAsync(RunTimeout, Ct, Args("duplicate-replay", "8s", dir));

        run.ExitCode.Should().Be(0, Explain(run, dir));
        (await NemesisOkAsync(dir)).Count(n => n == "fault:replay").Should().Be(3);
    }

    [Fact]
    public async Task Duplicate_replay_catches_no_dedupe_as_duplicates_and_inconsistent_sequence_numbers()
    {
        var dir = Path.Combine(_root, "replay-no-dedupe");
        var run = await ChaosCli.RunAsync(RunTimeout, Ct, Args("duplicate-replay", "8s", dir, "--defect", "no-dedupe"));

        run.ExitCode.Should().Be(1, Explain(run, dir));

        // Both, not either: every replayed fan-out record is appended again under a new seq — one inconsistent-seq per
        // (user, id) — and reaches each of the user's 2 devices again — one duplicate per device. The new seqs may leave
        // gaps some devices see (skip, docs/defects.md); nothing else may be found.
        var found = await ErrorAnomalyCountsAsync(dir);
        found.Keys.Should().Contain([AnomalyNames.Duplicate, AnomalyNames.InconsistentSeq], Explain(run, dir))
            .And.BeSubsetOf([AnomalyNames.Duplicate, AnomalyNames.InconsistentSeq, AnomalyNames.Skip]);
        found[AnomalyNames.Duplicate].Should().Be(2 * found[AnomalyNames.InconsistentSeq], "--devices 2: each re-sequenced message reaches both devices again");
    }

    [Fact]
    public async Task Broker_outage_on_the_correct_system_keeps_every_promise_while_brokers_fail_and_move()
    {
        var dir = Path.Combine(_root, "broker");
        var run = await ChaosCli.RunAsync(RunTimeout, Ct, Args("broker-outage", "10s", dir));

        run.ExitCode.Should().Be(0, Explain(run, dir));
        (await NemesisOkAsync(dir)).Should().Contain(["fault:broker-down", "heal:broker-down", "fault:leader-move", "fault:coordinator-move", "fault:request-errors", "fault:broker-rtt"]);
    }

    [Fact]
    public async Task Duplicate_replay_whose_replay_finds_nothing_to_replay_is_unknown_not_a_pass()
    {
        // The fault is made to do nothing: it "replays" the empty dead-letter topic. The took-effect check must see that.
        var scenario = ScenarioCatalog.Find("duplicate-replay")!;
        var schedule = new FaultSchedule([new FaultScheduleEntry(TimeSpan.FromSeconds(1), "replay", "jobs-dlq", null, new Dictionary<string, string> { ["count"] = "20" })], TimeSpan.FromSeconds(6))
        {
            Seed = 1,
            Scenario = scenario.Name,
        };
        var options = new RunOptions
        {
            Seed = 1,
            Duration = TimeSpan.FromSeconds(6),
            Warmup = TimeSpan.FromSeconds(2),
            Recovery = TimeSpan.FromSeconds(2),
            OutputDirectory = Path.Combine(_root, "replay-nothing"),
            Workload = new ChatWorkloadOptions { Rate = 20, JobRate = 0, Users = 3, Devices = 1 },
            System = ReferenceSystemAdapter.Instance,
            Schedule = schedule,
        };

        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(RunTimeout);
        var outcome = await RunPipeline.RunAsync(scenario, options, null, bound.Token);

        // The property: a fault that did nothing never lets the run pass, and the verdict says why. In a run this short
        // (20 sends/s, a 6 s phase) one slow delivery on a starved CI box can also break the latency SLO — seen once
        // in CI: "latency-slo ×1 (note: the faults did not take effect …)"; the verdict is then invalid, still no pass,
        // and the reason is still there. Any other broken promise would be a finding and fails the test.
        outcome.Verdict.Should().NotBe(Verdict.Valid, outcome.Message);
        outcome.Result!.UnknownReasons.Should().Contain(r => r.Contains("no fan-out record was replayed", StringComparison.Ordinal));
        if (outcome.Verdict == Verdict.Invalid)
        {
            outcome.Result.Anomalies.Where(a => a.Value.Count > 0).Select(a => a.Key).Should().BeSubsetOf(["latency-slo", "recovered"], outcome.Message);
        }
        else
        {
            outcome.Verdict.Should().Be(Verdict.Unknown, outcome.Message);
            outcome.ExitCode.Should().Be(2);
        }
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

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Explain(ChaosCli.Outcome run, string dir) =>
        $"stdout:\n{run.Stdout}\nstderr:\n{run.Stderr}\nsummary:\n{(File.Exists(Path.Combine(dir, "summary.md")) ? File.ReadAllText(Path.Combine(dir, "summary.md")) : "(none)")}";

    /// <summary>"fault:NAME" / "heal:NAME" for every nemesis ok event of the run's history.</summary>
    private static async Task<List<string>> NemesisOkAsync(string dir)
    {
        var found = new List<string>();
        foreach (var line in await File.ReadAllLinesAsync(Path.Combine(dir, "history.jsonl"), Ct))
        {
            using var e = JsonDocument.Parse(line);
            var root = e.RootElement;
            if (root.GetProperty("process").GetString() == "nemesis" && root.GetProperty("type").GetString() == "ok"
                && root.GetProperty("f").GetString() is "fault" or "heal" && root.TryGetProperty("value", out var v) && v.TryGetProperty("fault", out var name))
            {
                found.Add($"{root.GetProperty("f").GetString()}:{name.GetString()}");
            }
        }

        return found;
    }

    /// <summary>The error (not informational) anomalies of the run's results.json, name → count.</summary>
    private static async Task<Dictionary<string, long>> ErrorAnomalyCountsAsync(string dir)
    {
        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "results.json"), Ct));
        results.RootElement.GetProperty("valid").GetBoolean().Should().BeFalse();
        return results.RootElement.GetProperty("anomalies").EnumerateObject()
            .Where(p => !p.Value.GetProperty("informational").GetBoolean())
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("count").GetInt64());
    }

    private static async Task<List<string>> AnomaliesAsync(string dir)
    {
        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "results.json"), Ct));
        results.RootElement.GetProperty("valid").GetBoolean().Should().BeFalse();
        return [.. results.RootElement.GetProperty("anomalies").EnumerateObject().Select(p => p.Name)];
    }
}
