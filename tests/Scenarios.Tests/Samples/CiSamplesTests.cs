using System.Diagnostics;
using System.Text.Json;
using Chaos.Scenarios.Catalog;
using YamlDotNet.RepresentationModel;

namespace Chaos.Scenarios.Tests.Samples;

/// <summary>
/// The CI samples in samples/ci (docs/ci.md), validated as far as a machine without GitHub or GitLab can: every file
/// parses as YAML and has the shape its CI reads, every script and workflow it names exists, and the scripts do
/// what the samples rely on, against the real <c>chaos</c> CLI.
/// </summary>
public sealed class CiSamplesTests
{
    private static readonly string Root = RepoFiles.Root;
    private static readonly string Samples = Path.Combine(Root, "samples", "ci");

    public static TheoryData<string> SampleFiles => new(Directory.GetFiles(Samples, "*.yml", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Samples, f)).Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Every_sample_parses_and_names_only_scripts_and_workflows_that_exist(string sample)
    {
        var text = File.ReadAllText(Path.Combine(Samples, sample));
        var root = Parse(text);
        root.Children.Should().NotBeEmpty();

        foreach (var script in ScriptPaths(text))
        {
            var path = Path.Combine(Root, script);
            File.Exists(path).Should().BeTrue($"{sample} runs {script}");
            if (!OperatingSystem.IsWindows() && script.EndsWith(".sh", StringComparison.Ordinal))
            {
                File.GetUnixFileMode(path).Should().HaveFlag(UnixFileMode.UserExecute, $"{sample} runs {script} directly");
            }
        }

        foreach (var used in Scalars(root).Where(s => s.StartsWith("./.github/workflows/", StringComparison.Ordinal)))
        {
            File.Exists(Path.Combine(Samples, "github", Path.GetFileName(used))).Should().BeTrue($"{sample} calls {used}, which the samples must carry");
        }
    }

    [Fact]
    public void Every_GitHub_job_has_a_timeout_and_the_suite_workflow_builds_its_matrix_from_the_plan()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Samples, "github"), "*.yml"))
        {
            var jobs = (YamlMappingNode)Parse(File.ReadAllText(file))["jobs"];
            foreach (var (name, job) in jobs.Children.Select(c => (((YamlScalarNode)c.Key).Value, (YamlMappingNode)c.Value)))
            {
                // a job that calls a reusable workflow takes the called workflow's timeouts
                (job.Children.ContainsKey("timeout-minutes") || job.Children.ContainsKey("uses")).Should().BeTrue($"{Path.GetFileName(file)}: job {name} must be bounded");
            }
        }

        var suite = Parse(File.ReadAllText(Path.Combine(Samples, "github", "chaos-suite.yml")));
        var inputs = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)suite["on"])["workflow_call"])["inputs"];
        inputs.Children.Keys.Select(k => ((YamlScalarNode)k).Value).Should().Contain(["suite", "load"]);
        var run = (YamlMappingNode)((YamlMappingNode)suite["jobs"])["run"];
        ((YamlScalarNode)((YamlMappingNode)((YamlMappingNode)run["strategy"])["matrix"])["run"]).Value.Should().Be("${{ fromJson(needs.plan.outputs.runs) }}");
        ((YamlScalarNode)((YamlMappingNode)((YamlMappingNode)run["strategy"]))["fail-fast"]).Value.Should().Be("false", "one broken run must not cancel the others");
    }

    [Fact]
    public async Task The_plan_script_lists_every_run_of_every_suite_and_the_GitLab_child_pipeline_has_one_bounded_job_per_run()
    {
        Assert.SkipWhen(!HasJq, "jq is not installed (apt-get install jq; .ci/run installs it)");
        var ct = TestContext.Current.CancellationToken;
        foreach (var (name, definition) in ScenarioCatalog.Suites)
        {
            var plan = await RunAsync(Path.Combine(Samples, "plan-runs.sh"), [name, "dotnet", ChaosDll], null, ct);
            plan.ExitCode.Should().Be(0, plan.Stderr);
            using var runs = JsonDocument.Parse(plan.Stdout);
            var entries = runs.RootElement.EnumerateArray().ToList();
            entries.Should().HaveCount(ScenarioCatalog.ScenariosOf(definition).Count * definition.Seeds, $"suite {name}");
            entries.Select(e => e.GetProperty("name").GetString()).Should().OnlyHaveUniqueItems("each run has its own job and reports folder");
            entries.Should().OnlyContain(e => e.GetProperty("name").GetString() == $"{e.GetProperty("scenario").GetString()}-seed{e.GetProperty("seed").GetInt64()}");

            if (name == "smoke")
            {
                var jobs = await RunAsync("jq", ["--arg", "load", "--rate 75 --users 125", "-f", Path.Combine(Samples, "gitlab", "child-pipeline.jq")], plan.Stdout, ct);
                jobs.ExitCode.Should().Be(0, jobs.Stderr);
                var pipeline = Parse(jobs.Stdout);
                pipeline.Children.Should().HaveCount(entries.Count);
                foreach (var job in pipeline.Children.Values.Cast<YamlMappingNode>())
                {
                    ((YamlScalarNode)job["timeout"]).Value.Should().Be("12m");
                    ((YamlSequenceNode)job["script"]).Children.Cast<YamlScalarNode>().Select(s => s.Value).Should().Contain(s => s!.StartsWith("samples/ci/run-one.sh ", StringComparison.Ordinal));
                    ((YamlScalarNode)((YamlMappingNode)job["variables"])["CHAOS_LOAD"]).Value.Should().Be("--rate 75 --users 125");
                }
            }
        }

        var unknown = await RunAsync(Path.Combine(Samples, "plan-runs.sh"), ["no-such-suite", "dotnet", ChaosDll], null, ct);
        unknown.ExitCode.Should().Be(2);
        unknown.Stderr.Should().Contain("no suite 'no-such-suite'").And.Contain("smoke");
    }

    [Fact(Timeout = 240_000)]
    public async Task The_run_script_makes_one_planned_run_into_its_own_reports_folder_and_passes_on_chaos_s_exit_code()
    {
        var ct = TestContext.Current.CancellationToken;
        var reports = Directory.CreateTempSubdirectory("chaos-ci-sample-");
        try
        {
            var run = await RunAsync(
                Path.Combine(Samples, "run-one.sh"),
                ["steady-state", "3", "4s", "dotnet", ChaosDll],
                null,
                ct,
                ("CHAOS_LOAD", "--rate 20 --users 20 --job-rate 1 --warmup 1s --ramp 0 --quiet"),
                ("CHAOS_OUT", reports.FullName));

            // the script passes chaos's own exit code through: 0 valid, 1 invalid, 2 unknown — read back from the run's
            // results.json (the verdict itself is not this test's: a crowded box can break the latency SLO)
            var folder = Path.Combine(reports.FullName, "steady-state-seed3");
            File.Exists(Path.Combine(folder, "results.json")).Should().BeTrue(run.Stdout + run.Stderr);
            using (var results = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "results.json"))))
            {
                var valid = results.RootElement.GetProperty("valid");
                var expected = valid.ValueKind switch
                {
                    JsonValueKind.True => 0,
                    JsonValueKind.False => 1,
                    _ => 2,
                };
                run.ExitCode.Should().Be(expected, run.Stdout + run.Stderr);
            }

            File.Exists(Path.Combine(folder, "junit.xml")).Should().BeTrue("the samples publish each run's junit.xml");
            File.ReadAllText(Path.Combine(folder, "summary.md")).Should().Contain("--seed 3").And.Contain("--rate 20", "CHAOS_LOAD reaches chaos run");

            var refused = await RunAsync(Path.Combine(Samples, "run-one.sh"), ["no-such-scenario", "1", "4s", "dotnet", ChaosDll], null, ct, ("CHAOS_OUT", reports.FullName));
            refused.ExitCode.Should().Be(2, "chaos's own exit code for a run it could not make passes through");
        }
        finally
        {
            reports.Delete(recursive: true);
        }
    }

    private static string ChaosDll => Path.Combine(AppContext.BaseDirectory, "chaos.dll");

    private static bool HasJq => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "jq")));

    private static YamlMappingNode Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static IEnumerable<string> Scalars(YamlNode node) => node switch
    {
        YamlScalarNode s => [s.Value ?? ""],
        YamlSequenceNode q => q.Children.SelectMany(Scalars),
        YamlMappingNode m => m.Children.SelectMany(c => Scalars(c.Key).Concat(Scalars(c.Value))),
        _ => [],
    };

    private static IEnumerable<string> ScriptPaths(string text) =>
        System.Text.RegularExpressions.Regex.Matches(text, @"samples/ci/[\w./-]+\.(sh|jq)").Select(m => m.Value).Distinct(StringComparer.Ordinal);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string file, IReadOnlyList<string> args, string? stdin, CancellationToken ct, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["DOTNET_EnableDiagnostics_IPC"] = "0";
        start.Environment["DOTNET_EnableDiagnostics_Debugger"] = "0";
        start.Environment["CHAOS_PARENT_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start)!;
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            await process.StandardInput.WriteAsync(stdin ?? "");
            process.StandardInput.Close();
            await process.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromMinutes(3), ct);
            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
