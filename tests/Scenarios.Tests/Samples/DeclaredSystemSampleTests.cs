using System.Text.Json;
using Chaos.Scenarios.Tests.Check;

namespace Chaos.Scenarios.Tests.Samples;

/// <summary>
/// A system described by its nodes, without an adapter in C# (docs/systems.md, "Nodes without code";
/// samples/declared/chaos.system.yaml): the real <c>chaos</c> tool starts every node the file lists with its
/// placeholders filled, drives them through the reference protocol with the file's paths, holds the promises on the
/// correct build, catches a bug planted through the file's own arguments, and refuses by name what the file cannot do.
/// </summary>
[Collection(Verify.MeasuredRunCollection.Name)]
public sealed class DeclaredSystemSampleTests : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "chaos-run-tests", "declared-" + Guid.NewGuid().ToString("N")[..8]);

    public DeclaredSystemSampleTests() => Directory.CreateDirectory(_root);

    /// <summary>The committed sample, its program the build under test's (the sample names the Release build), with <paramref name="edit"/> applied.</summary>
    private string SystemFile(string name, Func<string, string>? edit = null)
    {
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        var text = File.ReadAllText(RepoFiles.File("samples", "declared", "chaos.system.yaml"))
            .Replace("{dir}/../../src/Scenarios/bin/Release/", $"{RepoFiles.Root}/src/Scenarios/bin/{configuration}/", StringComparison.Ordinal);
        text.Should().Contain(RepoFiles.Root, "the sample names the reference system's build relative to itself");
        var path = Path.Combine(_root, name + ".yaml");
        File.WriteAllText(path, edit is null ? text : edit(text));
        return path;
    }

    // an 8 s warm-up: a declared system cannot tell the harness that its consumer groups hold their partitions, so the
    // steady phase starts once a canary got through, while the notifier group may still rebalance (the first CI run,
    // with 3 s, judged a 2.3 s steady p99 that was the group forming: docs/systems.md, "Nodes without code")
    private string[] Steady(string systemFile, string outDir) =>
        ["run", "steady-state", "--system", systemFile, "--duration", "6s", "--warmup", "8s", "--rate", "60", "--users", "8", "--devices", "2", "--out", outDir];

    /// <summary>
    /// The run's correctness promises all held and its faults took effect (exit 0; or exit 1 with latency-slo the only
    /// promise broken). Latency is still judged and reported, but not gated here: a declared system cannot tell the
    /// harness that its consumer groups hold their partitions, and the steady phase's p99 passed 500 ms twice in these
    /// tests' runs (2.3 s on CI, 1.8 s locally) — an open finding (docs/systems.md, "Nodes without code"), not what
    /// these tests are about. A run whose faults did not take effect fails here whatever its exit code.
    /// </summary>
    private static async Task CorrectnessHeldAsync(ChaosCli.Outcome run, string dir)
    {
        run.ExitCode.Should().BeOneOf([0, 1], $"the run was done; stdout:\n{run.Stdout}\nstderr:\n{run.Stderr}");
        run.Stdout.Should().NotContain("did not take effect", "a verdict of 1 may carry a note that the faults did nothing");
        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "results.json"), TestContext.Current.CancellationToken));
        var broken = results.RootElement.GetProperty("promises").EnumerateArray()
            .Where(p => p.GetProperty("status").GetString() is not ("held" or "not-exercised"))
            .Select(p => p.GetProperty("name").GetString()).ToList();
        broken.Should().BeSubsetOf(["latency-slo"], $"every correctness promise held; stdout:\n{run.Stdout}");
        if (run.ExitCode == 1)
        {
            broken.Should().Equal(["latency-slo"], "exit 1 means a promise broke, and only latency may have");
        }
    }

    [Fact]
    public async Task The_nodes_the_file_lists_hold_every_promise_and_a_bug_planted_in_their_arguments_is_caught()
    {
        var correct = SystemFile("correct");
        var planted = SystemFile("unkeyed", text => text.Replace("--role, api, --instance", "--defect, unkeyed-partitioning, --role, api, --instance", StringComparison.Ordinal));
        var dir = Path.Combine(_root, "correct");

        // side by side (each run its own ports and folder): the pair takes the time of one
        var runs = await Task.WhenAll(
            ChaosCli.RunAsync(RunTimeout, TestContext.Current.CancellationToken, Steady(correct, dir)),
            ChaosCli.RunAsync(RunTimeout, TestContext.Current.CancellationToken, Steady(planted, Path.Combine(_root, "unkeyed"))));
        var (run, buggy) = (runs[0], runs[1]);

        await CorrectnessHeldAsync(run, dir);
        var summary = await File.ReadAllTextAsync(Path.Combine(dir, "summary.md"), TestContext.Current.CancellationToken);
        summary.Should().MatchRegex(@"\| No loss \| held \|").And.MatchRegex(@"\| Per-user ordering \| held \|")
            .And.MatchRegex(@"\| Jobs applied exactly once \| not exercised \|", "a declared system offers no jobs, and the promise says so");
        Directory.GetFiles(Path.Combine(dir, "logs")).Select(Path.GetFileName).Should()
            .Contain(["api-1.log", "api-2.log", "notifier-1.log", "notifier-2.log", "gateway-1.log", "gateway-2.log"], "every instance the file lists ran as its own node");
        var lines = await File.ReadAllLinesAsync(Path.Combine(dir, "history.jsonl"), TestContext.Current.CancellationToken);
        lines.Count(l => l.Contains("\"f\":\"deliver\"", StringComparison.Ordinal)).Should().BeGreaterThan(100, "the load reached the devices over the file's hub");
        lines.Count(l => l.Contains("\"f\":\"sync\"", StringComparison.Ordinal)).Should().Be(16, "every device (8 users × 2) read its inbox at the file's path in the final drain");
        run.Stdout.Should().Contain($"--system {correct}", "the command that reproduces the run names the system file");
        var api = await File.ReadAllTextAsync(Path.Combine(dir, "logs", "api-1.log"), TestContext.Current.CancellationToken);
        api.Should().NotContain("{secret:", "the placeholders were filled before the node started").And.NotContain("{kafka}");

        buggy.ExitCode.Should().Be(1, $"records produced without a key reach a user out of order; stdout:\n{buggy.Stdout}\nstderr:\n{buggy.Stderr}");
        buggy.Stdout.Should().Contain("order-inversion");
    }

    [Fact]
    public async Task Websocket_cut_cuts_and_crashes_the_nodes_of_the_role_the_file_names_for_devices()
    {
        // the gateways named "edge" in the file (the program still runs its gateway role): the scenario finds them by
        // the file's client.devices, not by the reference system's name
        var file = SystemFile("edge", text => text.Replace("  - role: gateway\n", "  - role: edge\n", StringComparison.Ordinal)
            .Replace("devices: gateway ", "devices: edge ", StringComparison.Ordinal));
        File.ReadAllText(file).Should().Contain("role: edge").And.Contain("devices: edge");
        var dir = Path.Combine(_root, "websocket-cut");

        var run = await ChaosCli.RunAsync(RunTimeout, TestContext.Current.CancellationToken,
            ["run", "websocket-cut", "--system", file, "--duration", "20s", "--warmup", "8s", "--rate", "60", "--users", "8", "--devices", "2", "--out", dir]);

        await CorrectnessHeldAsync(run, dir);
        var summary = await File.ReadAllTextAsync(Path.Combine(dir, "summary.md"), TestContext.Current.CancellationToken);
        summary.Should().MatchRegex(@"\| crash \| edge-[12] \| [0-9.]+ \| [0-9.]+ \| yes \|", "one device node was SIGKILLed and restarted")
            .And.MatchRegex(@"\| reset-mid-frame \| edge-[12] \|").And.NotContain("gateway-");
        Directory.GetFiles(Path.Combine(dir, "logs")).Select(Path.GetFileName).Should().Contain(["edge-1.log", "edge-2.log"]);
    }

    [Theory]
    [InlineData("service-crash", "", "needs failpoints, and the system under test offers none")]
    [InlineData("steady-state", "--job-rate 2", "runs none")]
    [InlineData("steady-state", "--postgres Host=127.0.0.1", "the system 'refsys-declared' keeps its own storage")]
    [InlineData("steady-state", "missing-command", "no-such-program does not exist")]
    [InlineData("steady-state", "--topology containers", "its nodes are commands, which run on the processes topology")]
    public async Task What_the_file_cannot_do_is_refused_by_name_and_nothing_is_left_running(string scenario, string flags, string named)
    {
        var file = flags == "missing-command"
            ? SystemFile("missing", text => text.Replace("command: dotnet", "command: ./no-such-program", StringComparison.Ordinal))
            : SystemFile("refused");
        var dir = Path.Combine(_root, "refused");
        string[] more = flags is "" or "missing-command" ? [] : flags.Split(' ');

        var run = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken, ["run", scenario, "--system", file, "--out", dir, .. more]);

        run.ExitCode.Should().Be(2, run.Stdout + run.Stderr);
        run.Stderr.Should().Contain(named);
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
