using System.Text.Json;
using Chaos.Harness.Faults.Schedule;
using Chaos.Scenarios.Catalog;
using Chaos.Scenarios.Tests.Check;

namespace Chaos.Scenarios.Tests.Run;

/// <summary>`chaos replay`: incident files and saved schedules run again; bad ones refused before anything starts.</summary>
public sealed class ReplayCommandTests : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(5);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "chaos-replay-tests", Guid.NewGuid().ToString("N")[..8]);

    public ReplayCommandTests() => Directory.CreateDirectory(_root);

    private static string Incident { get; } = RepoFiles.File("incidents", "3am-duplicate-email.yaml");

    private static string[] Replay(string file, string outDir, params string[] more) =>
        ["replay", file, "--warmup", "2s", "--rate", "30", "--job-rate", "3", "--users", "4", "--devices", "2", "--out", outDir, .. more];

    [Fact]
    public async Task The_3am_incident_is_harmless_on_the_correct_system()
    {
        var dir = Path.Combine(_root, "3am-ok");

        var run = await ChaosCli.RunAsync(RunTimeout, TestContext.Current.CancellationToken, Replay(Incident, dir));

        run.ExitCode.Should().Be(0, $"the business key absorbs the redelivery; stdout:\n{run.Stdout}\nstderr:\n{run.Stderr}");
        (await CrashScenarioTests.NemesisAsync(dir, "heal")).Should().ContainSingle()
            .Which.Should().StartWith("notifier.after-effect-before-commit crashed incarnation 1 at hit 3");
        var schedule = await File.ReadAllTextAsync(Path.Combine(dir, "schedule.json"), TestContext.Current.CancellationToken);
        schedule.Should().Contain("\"name\": \"3am-duplicate-email\"", "the run saves the replayed schedule");
    }

    [Fact]
    public async Task The_3am_incident_is_caught_when_the_dedupe_defect_is_on()
    {
        var dir = Path.Combine(_root, "3am-defect");

        var run = await ChaosCli.RunAsync(RunTimeout, TestContext.Current.CancellationToken, Replay(Incident, dir, "--defect", "no-dedupe"));

        run.ExitCode.Should().Be(1, $"the redelivered record is notified twice; stdout:\n{run.Stdout}\nstderr:\n{run.Stderr}");
        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(dir, "results.json"), TestContext.Current.CancellationToken));
        var anomalies = results.RootElement.GetProperty("anomalies");
        int Count(string name) => anomalies.TryGetProperty(name, out var a) ? a.GetProperty("count").GetInt32() : 0;
        (Count("duplicate") + Count("inconsistent-seq")).Should().BePositive();
    }

    [Fact]
    public async Task A_failpoint_that_never_fires_makes_the_run_unknown_not_a_pass()
    {
        // api.before-persist is a point of the api role: armed on a notifier, it is never hit, so nothing crashes
        var file = await WriteAsync("inert.yaml", """
            scenario: consumer-kill-mid-batch
            duration: 3s
            faults:
              - at: 500ms
                fault: failpoint
                target: notifier-1
                duration: 2s
                parameters: { point: api.before-persist, action: crash }
            """);

        var run = await ChaosCli.RunAsync(RunTimeout, TestContext.Current.CancellationToken, Replay(file, Path.Combine(_root, "inert")));

        run.ExitCode.Should().Be(2, $"a fault that did nothing proves nothing; stdout:\n{run.Stdout}\nstderr:\n{run.Stderr}");
        run.Stdout.Should().Contain("did not fire");
    }

    [Theory]
    [InlineData("- at: 1s\n    fault: process-explode\n    target: api-1", "incident.yaml:5:12: faults[0].fault")]
    [InlineData("- at: 1s\n    fault: process-kill\n    target: moon-1", "incident.yaml:6:13: faults[0].target")]
    [InlineData("- at: 2parsecs\n    fault: process-kill\n    target: api-1", "incident.yaml:4:9: faults[0].at")]
    [InlineData("- at: 1s\n    fault: failpoint\n    target: api-1\n    parameters: { point: api.before-persist, hit: soon }", "incident.yaml:7:51: faults[0].parameters.hit")]
    public async Task A_bad_incident_file_exits_2_naming_the_line_and_field(string fault, string named)
    {
        var file = await WriteAsync("incident.yaml", $"scenario: service-crash\nduration: 10s\nfaults:\n  {fault}\n");

        var run = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken, "replay", file, "--out", Path.Combine(_root, "bad"));

        run.ExitCode.Should().Be(2);
        run.Stderr.Should().Contain(named);
        Directory.Exists(Path.Combine(_root, "bad")).Should().BeFalse("nothing starts when the file is bad");
    }

    /// <summary>
    /// Every family's parameters are checked against their declared kinds (docs/faults.md, "Fault kinds"): before the
    /// registry a proxy fault's bad byte count silently became 64 and a downstream fault's rate threw mid-run.
    /// </summary>
    [Theory]
    [InlineData("websocket-cut", "fault: reset-mid-frame\n    target: gateway-1\n    parameters: { bytes: abc }", "incident.yaml:7:26: faults[0].parameters.bytes: 'abc' is not an integer (reset-mid-frame)")]
    [InlineData("job-retry-storm", "fault: downstream-failure\n    target: jobs\n    parameters: { failureRate: 5 }", "incident.yaml:7:32: faults[0].parameters.failureRate: 5 is outside 0..1 (downstream-failure)")]
    public async Task A_bad_parameter_of_any_family_exits_2_naming_the_line_and_field(string scenario, string fault, string named)
    {
        var file = await WriteAsync("incident.yaml", $"scenario: {scenario}\nduration: 10s\nfaults:\n  - at: 1s\n    {fault}\n");

        var run = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken, "replay", file, "--out", Path.Combine(_root, "bad"));

        run.ExitCode.Should().Be(2);
        run.Stderr.Should().Contain(named);
        Directory.Exists(Path.Combine(_root, "bad")).Should().BeFalse("nothing starts when the file is bad");
    }

    /// <summary>
    /// A fault the deployment cannot take — storage-lock locks the SQLite file, and with --postgres there is none — is
    /// refused before anything starts (it used to fail when the fault phase began, after the whole system had been
    /// deployed and loaded). A seed's generated schedule no longer meets this: random-mix draws storage-disconnect on
    /// PostgreSQL (RandomMixScenarioTests); a generated schedule on a cluster without the embedded control channel is
    /// refused the same way (ExistingKafkaRunTests).
    /// </summary>
    [Fact]
    public async Task A_fault_the_deployment_cannot_take_exits_2_before_anything_starts()
    {
        var ct = TestContext.Current.CancellationToken;
        const string postgres = "Host=127.0.0.1;Port=1;Username=nobody;Password=x;Database=none";

        var replay = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), ct, "replay", RepoFiles.File("incidents", "locked-database.yaml"), "--postgres", postgres, "--out", Path.Combine(_root, "replay"));

        replay.ExitCode.Should().Be(2, replay.Stderr);
        replay.Stderr.Should().Contain("locked-database.yaml: faults[").And.Contain("storage-lock at").And.Contain("needs the SQLite store, and this run uses PostgreSQL (--postgres)");
        Directory.EnumerateDirectories(_root).Should().BeEmpty("nothing starts");
    }

    /// <summary>storage-disconnect drops connections to a PostgreSQL database the run made: on SQLite there is none.</summary>
    [Fact]
    public async Task A_postgres_fault_without_postgres_exits_2_before_anything_starts_saying_to_add_it()
    {
        var replay = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken,
            "replay", RepoFiles.File("incidents", "dropped-connections.yaml"), "--out", Path.Combine(_root, "replay"));

        replay.ExitCode.Should().Be(2, replay.Stderr);
        replay.Stderr.Should().Contain("dropped-connections.yaml: faults[0]: storage-disconnect at 4s needs a PostgreSQL database the run made for the system, and this run gives it none (add --postgres)");
        Directory.EnumerateDirectories(_root).Should().BeEmpty("nothing starts");
    }

    [Fact]
    public async Task A_topology_that_is_unknown_or_cannot_run_here_exits_2_before_anything_starts()
    {
        var file = await WriteAsync("incident.yaml", "scenario: service-crash\nduration: 10s\nfaults:\n  - at: 1s\n    fault: process-kill\n    target: api-1\n");

        var unknown = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken, "replay", file, "--topology", "kubernetes", "--out", Path.Combine(_root, "k8s"));
        var noEngine = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken,
            [("DOCKER_HOST", "unix:///nonexistent/docker.sock")],
            "replay", file, "--topology", "containers", "--out", Path.Combine(_root, "docker"));

        unknown.ExitCode.Should().Be(2);
        unknown.Stderr.Should().Contain("--topology 'kubernetes'").And.Contain("processes, containers");
        noEngine.ExitCode.Should().Be(2);
        noEngine.Stderr.Should().Contain("chaos replay: --topology containers cannot run here").And.Contain("unix:///nonexistent/docker.sock");
        Directory.EnumerateDirectories(_root).Should().BeEmpty("nothing starts");
    }

    [Fact]
    public async Task A_run_folder_replays_its_schedule_json_and_a_schedule_without_scenario_needs_one()
    {
        var folder = Path.Combine(_root, "old-run");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "schedule.json"), """{"duration": "5s", "faults": [{"at": "1s", "fault": "process-kill", "target": "api-9"}]}""", TestContext.Current.CancellationToken);

        var noScenario = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken, "replay", folder);
        var wrongTarget = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken, "replay", folder, "--scenario", "service-crash");

        noScenario.ExitCode.Should().Be(2);
        noScenario.Stderr.Should().Contain("--scenario");
        wrongTarget.ExitCode.Should().Be(2);
        wrongTarget.Stderr.Should().Contain("schedule.json:1:").And.Contain("faults[0].target").And.Contain("api-9");
    }

    [Theory]
    [InlineData("3am-duplicate-email.yaml")]
    [InlineData("starved-notifier.yaml")]
    [InlineData("acl-removed.yaml")]
    [InlineData("locked-database.yaml")]
    [InlineData("dropped-connections.yaml")]
    [InlineData("gateway-restart-during-broker-outage.yaml")]
    [InlineData("disk-full.yaml")]
    [InlineData("slow-fsync.yaml")]
    public async Task Every_incident_file_names_a_scenario_and_fits_its_catalogue(string name)
    {
        var path = RepoFiles.File("incidents", name);
        var loose = await FaultScheduleFile.LoadAsync(path, null, TestContext.Current.CancellationToken);
        var scenario = ScenarioCatalog.Find(loose.Scenario!);

        scenario.Should().NotBeNull($"{name} names scenario '{loose.Scenario}'");
        var schedule = await FaultScheduleFile.LoadAsync(path, scenario!.Catalogue, TestContext.Current.CancellationToken);
        schedule.Entries.Should().NotBeEmpty();
        schedule.Entries.Should().OnlyContain(e => e.At < schedule.Duration!.Value, "every fault starts inside the fault phase");
        Directory.GetFiles(Path.GetDirectoryName(path)!, "*.yaml").Select(Path.GetFileName).Should().BeSubsetOf(
            ["3am-duplicate-email.yaml", "starved-notifier.yaml", "acl-removed.yaml", "locked-database.yaml", "dropped-connections.yaml", "gateway-restart-during-broker-outage.yaml", "disk-full.yaml", "slow-fsync.yaml"],
            "every incident file is checked here");
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

    private async Task<string> WriteAsync(string name, string text)
    {
        var path = Path.Combine(_root, name);
        await File.WriteAllTextAsync(path, text, TestContext.Current.CancellationToken);
        return path;
    }
}
