using System.Text.Json;
using Chaos.Scenarios.Tests.Check;

namespace Chaos.Scenarios.Tests.Samples;

/// <summary>
/// The proof that the adapter seam is real (docs/systems.md, "Your own system"): the wschat sample — one ASP.NET
/// process, its own Kafka consumer and inbox journal, plain WebSockets, an adapter written against the harness's
/// public API only (samples/wschat) — is run by the real <c>chaos</c> tool from a system file: its correct build holds
/// every promise it exercises, the bug planted behind its switch is caught, and what it lacks is refused by name.
/// </summary>
/// <remarks>
/// Alone, after the parallel tests: two of its runs go side by side, and beside the reference system's timing-bound
/// scenario tests they took the cores those needed (job-retry-storm's dead-letter refusal window found no poison job
/// in the first CI run that had both).
/// </remarks>
[Collection(Verify.MeasuredRunCollection.Name)]
public sealed class WsChatSampleTests : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "chaos-run-tests", "wschat-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _systemFile;

    public WsChatSampleTests()
    {
        // the committed samples/wschat/chaos.system.yaml names the Release build; this one names the build under test
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var adapter = Path.Combine(RepoFiles.Root, "samples", "wschat", "Adapter", "bin", configuration, "net10.0", "WsChat.Adapter.dll");
        Directory.CreateDirectory(_root);
        _systemFile = Path.Combine(_root, "chaos.system.yaml");
        File.WriteAllText(_systemFile, $"system: wschat\nadapter: {adapter}\nkafka: embedded\n");
    }

    private string[] Steady(string outDir, params string[] more) =>
        ["run", "steady-state", "--system", _systemFile, "--duration", "6s", "--warmup", "3s", "--rate", "40", "--users", "8", "--devices", "2", "--out", outDir, .. more];

    [Fact]
    public async Task The_correct_sample_holds_every_promise_it_exercises_and_the_bug_planted_in_it_is_caught()
    {
        var dir = Path.Combine(_root, "correct");

        // side by side (each run its own ports and folder): the pair takes the time of one
        var runs = await Task.WhenAll(
            ChaosCli.RunAsync(RunTimeout, TestContext.Current.CancellationToken, Steady(dir)),
            ChaosCli.RunAsync(RunTimeout, TestContext.Current.CancellationToken, Steady(Path.Combine(_root, "last-device-wins"), "--defect", "last-device-wins")));
        var (run, buggy) = (runs[0], runs[1]);

        run.ExitCode.Should().Be(0, $"the correct wschat system must pass steady-state; stdout:\n{run.Stdout}\nstderr:\n{run.Stderr}");
        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "results.json"), TestContext.Current.CancellationToken));
        results.RootElement.GetProperty("valid").GetBoolean().Should().BeTrue();
        var summary = await File.ReadAllTextAsync(Path.Combine(dir, "summary.md"), TestContext.Current.CancellationToken);
        summary.Should().Contain("wschat", "the report names the system under test")
            .And.MatchRegex(@"\| No loss \| held \|").And.MatchRegex(@"\| Per-user ordering \| held \|")
            .And.MatchRegex(@"\| Jobs applied exactly once \| not exercised \|", "a system without jobs gets no job load, and the promise says so");
        Directory.GetFiles(Path.Combine(dir, "logs")).Should().Contain(f => f.EndsWith("chat-1.log", StringComparison.Ordinal), "the sample's own node ran");
        var lines = await File.ReadAllLinesAsync(Path.Combine(dir, "history.jsonl"), TestContext.Current.CancellationToken);
        lines.Count(l => l.Contains("\"f\":\"deliver\"", StringComparison.Ordinal)).Should().BeGreaterThan(100, "the load reached the devices over the sample's WebSockets");
        lines.Count(l => l.Contains("\"f\":\"sync\"", StringComparison.Ordinal)).Should().Be(16, "every device (8 users × 2) syncs its inbox in the final drain");
        run.Stdout.Should().Contain($"--system {_systemFile}", "the command that reproduces the run names the system file");

        buggy.ExitCode.Should().Be(1, $"a user's first device hears nothing live once the second connects; stdout:\n{buggy.Stdout}\nstderr:\n{buggy.Stderr}");
        buggy.Stdout.Should().Contain("unseen", "the first devices never saw what their inboxes hold");
    }

    [Fact]
    public async Task Its_node_killed_and_its_brokers_faulted_the_correct_sample_holds_and_a_dedupe_lost_on_restart_is_caught()
    {
        // the incident names the sample's own node and partition: checked against the system's shape, not the reference's
        var incident = RepoFiles.File("samples", "wschat", "incidents", "chat-crash.yaml");

        // side by side (each run its own ports and folder): the pair takes the time of one
        var runs = await Task.WhenAll(
            ChaosCli.RunAsync(RunTimeout, TestContext.Current.CancellationToken, Replay(incident, Path.Combine(_root, "crash"))),
            ChaosCli.RunAsync(RunTimeout, TestContext.Current.CancellationToken, Replay(incident, Path.Combine(_root, "crash-buggy"), "--defect", "dedupe-not-rebuilt")));
        var (correct, buggy) = (runs[0], runs[1]);

        correct.ExitCode.Should().Be(0, $"the correct sample survives its node's SIGKILL and the broker faults; stdout:\n{correct.Stdout}\nstderr:\n{correct.Stderr}");
        var summary = await File.ReadAllTextAsync(Path.Combine(_root, "crash", "summary.md"), TestContext.Current.CancellationToken);
        summary.Should().MatchRegex(@"\| process-kill \| chat-1 \| [0-9.]+ \| [0-9.]+ \| yes \|", "the kill took hold")
            .And.MatchRegex(@"\| leader-move \| wschat\.messages/1 \|");
        buggy.ExitCode.Should().Be(1, $"a restarted journal that forgot its ids appends the redelivered records again; stdout:\n{buggy.Stdout}\nstderr:\n{buggy.Stderr}");
        buggy.Stdout.Should().Contain("duplicate");
    }

    [Fact]
    public async Task An_incident_naming_another_systems_nodes_is_refused_naming_this_systems()
    {
        var incident = Path.Combine(_root, "reference-incident.yaml");
        await File.WriteAllTextAsync(incident, "scenario: system-mix\nduration: 10s\nfaults:\n  - { at: 1s, fault: process-kill, target: notifier-1, duration: 2s }\n", TestContext.Current.CancellationToken);

        var run = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken, Replay(incident, Path.Combine(_root, "refused")));

        run.ExitCode.Should().Be(2, run.Stdout + run.Stderr);
        run.Stderr.Should().Contain("unknown target 'notifier-1' for fault 'process-kill' (known: chat-1)");
    }

    private string[] Replay(string incident, string outDir, params string[] more) =>
        ["replay", incident, "--system", _systemFile, "--rate", "40", "--users", "8", "--out", outDir, .. more];

    [Theory]
    [InlineData(new[] { "run", "service-crash" }, "failpoint at", "needs failpoints, and the system under test offers none")]
    [InlineData(new[] { "run", "websocket-cut" }, "the wschat system runs one chat instance, which serves the devices, not 2", "its inbox journal has one writer")]
    [InlineData(new[] { "run", "job-retry-storm" }, "schedules a fault this deployment cannot take", "needs a downstream provider the system calls")]
    [InlineData(new[] { "run", "steady-state", "--job-rate", "2" }, "steady-state submits jobs, and the system 'wschat' runs none", "--job-rate 0")]
    [InlineData(new[] { "run", "steady-state", "--defect", "no-dedupe" }, "--defect 'no-dedupe' is not a defect of the wschat system", "known: last-device-wins, dedupe-not-rebuilt")]
    public async Task What_the_sample_lacks_is_refused_by_name_before_anything_starts(string[] args, string named, string reason)
    {
        var dir = Path.Combine(_root, "refused");

        var run = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken, [.. args, "--system", _systemFile, "--out", dir]);

        run.ExitCode.Should().Be(2, run.Stdout + run.Stderr);
        run.Stderr.Should().Contain(named).And.Contain(reason);
        Directory.Exists(dir).Should().BeFalse("nothing was made for a run that cannot be done");
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
