using System.CommandLine;
using System.Globalization;
using Chaos.Harness.Deployment;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Reports;
using Chaos.Harness.Runs;
using Chaos.Harness.Topology.Containers;
using Chaos.Reference.Adapter;
using Chaos.Scenarios.Catalog;

namespace Chaos.Scenarios.Commands;

/// <summary><c>chaos run &lt;scenario&gt; | --suite NAME</c>: runs scenarios end to end and exits 0 / 1 / 2.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var scenarioArg = new Argument<string?>("scenario") { Description = "The scenario to run (see `chaos list`).", Arity = ArgumentArity.ZeroOrOne };
        var suite = new Option<string?>("--suite") { Description = "Run a suite instead: smoke, nightly or pre-release." };
        var seed = new Option<string?>("--seed") { Description = "The run's seed; every random choice derives from it (default 1)." };
        var duration = new Option<string?>("--duration") { Description = "Fault-phase length, e.g. 30s or 1m (default: the scenario's)." };
        var output = new Option<string?>("--out") { Description = "The run folder (default reports/<scenario>-<utc stamp>)." };
        var shared = new RunOptionSet();
        var json = JsonOutput.CreateOption();
        var style = new OutputStyle();

        var command = new Command("run", "Run a scenario (or a suite) against the reference system and check the promises.")
        {
            scenarioArg, suite, seed, duration, output, json,
        };
        shared.AddTo(command);
        style.AddTo(command);
        command.SetAction((parse, outer) => JsonOutput.RunAsync(parse.GetValue(json), "run", async results =>
        {
            var print = style.Bind(parse, parse.GetValue(json));
            using var shutdown = new ShutdownSignals(outer);
            var cancellationToken = shutdown.Token;
            try
            {
                var name = parse.GetValue(scenarioArg);
                var suiteName = parse.GetValue(suite);
                if ((name is null) == (suiteName is null))
                {
                    throw new UsageException("give either a scenario name or --suite NAME (see `chaos list`)");
                }

                var baseSeed = Long(parse.GetValue(seed), "--seed", 1);
                var durationValue = Duration(parse.GetValue(duration), "--duration");
                // every shared option is checked here, before anything starts; each run then gets its seed and folder
                var template = await shared.BindAsync(parse, baseSeed, durationValue, "reports", cancellationToken);
                List<(Scenario Scenario, long Seed)> runs = [];
                if (name is not null)
                {
                    var scenario = ScenarioCatalog.Find(name)
                        ?? throw new UsageException($"unknown scenario '{name}' (known: {string.Join(", ", ScenarioCatalog.Everything.Select(s => s.Name))})");
                    runs.Add((scenario, baseSeed));
                }
                else
                {
                    var definition = ScenarioCatalog.Suites.GetValueOrDefault(suiteName!)
                        ?? throw new UsageException($"unknown suite '{suiteName}' (known: {string.Join(", ", ScenarioCatalog.Suites.Keys)})");
                    durationValue ??= definition.Duration;
                    runs.AddRange(definition.Runs(ScenarioCatalog.ScenariosOf(definition), baseSeed));
                }

                // Before anything starts: a schedule naming a fault the deployment cannot take (storage-disconnect
                // without --postgres) is refused, naming the run and the entry (docs/faults.md, "Fault kinds").
                foreach (var (scenario, runSeed) in runs)
                {
                    var shape = template.ShapeFor(scenario.ConfigureSystem(new SystemRequirements()));
                    var schedule = scenario.BuildSchedule(runSeed, durationValue ?? scenario.DefaultDuration, shape);
                    if (FaultKinds.Unsupported(schedule, template) is { } why)
                    {
                        throw new UsageException($"{scenario.Name} seed {runSeed} schedules a fault this deployment cannot take: {why}; pick another seed or scenario, or change the deployment");
                    }
                }

                // Before anything starts: a containers run with no engine or no image says what is missing and exits 2.
                if (!await TopologyOption.EnsureAvailableAsync("run", template.Topology, cancellationToken))
                {
                    return ExitCodes.RunFailed;
                }

                var stamp = DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
                var outRoot = parse.GetValue(output);
                var worst = ExitCodes.Valid;
                var done = new List<(string Scenario, long Seed, RunOutcome Outcome)>();
                var eta = new SuiteProgress(runs.Count, TimeProvider.System);
                foreach (var (scenario, runSeed) in runs)
                {
                    var dir = outRoot is null
                        ? Path.Combine("reports", runs.Count == 1 ? $"{scenario.Name}-{stamp}" : Path.Combine($"{suiteName}-{stamp}", $"{scenario.Name}-seed{runSeed}"))
                        : runs.Count == 1 ? outRoot : Path.Combine(outRoot, $"{scenario.Name}-seed{runSeed}");
                    var options = template with { Seed = runSeed, Duration = durationValue, OutputDirectory = dir };
                    options.Validate();
                    print.Info($"run {scenario.Name} seed={runSeed}{(runs.Count > 1 ? " " + eta.Describe() : "")} → {Path.GetFullPath(dir)}");
                    var outcome = await RunProgressView.RunAsync(scenario, options, print.Quiet, cancellationToken);
                    eta.Completed();
                    Console.WriteLine($"{scenario.Name} seed={runSeed}: {print.Verdict(outcome.Verdict.ToString().ToLowerInvariant())} — {outcome.Message}");
                    print.Info($"report: {Path.Combine(outcome.Directory, "summary.md")}");
                    if (outcome.Reproduce is { } again && (!print.Quiet || outcome.ExitCode != ExitCodes.Valid))
                    {
                        Console.WriteLine($"reproduce: {again}");
                    }

                    worst = Math.Max(worst, outcome.ExitCode);
                    done.Add((scenario.Name, runSeed, outcome));
                    results.Add(outcome.Directory, "results.json", new Dictionary<string, string?>
                    {
                        ["scenario"] = scenario.Name,
                        ["seed"] = runSeed.ToString(CultureInfo.InvariantCulture),
                        ["verdict"] = outcome.Verdict.ToString().ToLowerInvariant(),
                        ["message"] = outcome.Message,
                        ["reproduce"] = outcome.Reproduce,
                    });
                    if (cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }
                }

                if (suiteName is not null)
                {
                    // one junit.xml and summary.md for the whole suite, beside its runs' folders (docs/running.md)
                    var suiteDir = outRoot ?? Path.Combine("reports", $"{suiteName}-{stamp}");
                    await SuiteReport.WriteAsync(suiteName, done, suiteDir, CancellationToken.None);
                    Console.WriteLine($"suite {suiteName}: {done.Count} runs, exit {worst} — {Path.Combine(suiteDir, "summary.md")}");
                }

                return worst;
            }
            catch (Exception e) when (e is UsageException or ArgumentException or DockerUnavailableException)
            {
                await Console.Error.WriteLineAsync($"chaos run: {e.Message}");
                return ExitCodes.RunFailed;
            }
        }));
        return command;
    }

    /// <summary>The <c>--defect</c> names (none when null), each one <paramref name="system"/> offers; a <see cref="UsageException"/> naming the first it does not.</summary>
    internal static IReadOnlyList<string> Defects(string[]? names, ISystemAdapter system)
    {
        var unknown = names?.FirstOrDefault(d => !system.Defects.Contains(d, StringComparer.Ordinal));
        return unknown is null
            ? names ?? []
            : throw new UsageException($"--defect '{unknown}' is not a defect of the {system.Name} system ({(system.Defects.Count == 0 ? "it has none" : "known: " + string.Join(", ", system.Defects))})");
    }

    /// <summary>The reference system's defect switches (docs/reference-system.md).</summary>
    internal static IReadOnlyList<string> KnownDefects => ReferenceSystemAdapter.Instance.Defects;

    internal static long Long(string? text, string option, long fallback)
    {
        if (text is null)
        {
            return fallback;
        }

        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0
            ? v
            : throw new UsageException($"{option} must be a whole number ≥ 0, got '{text}'");
    }

    internal static double Double(string? text, string option, double fallback)
    {
        if (text is null)
        {
            return fallback;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v >= 0
            ? v
            : throw new UsageException($"{option} must be a number ≥ 0, got '{text}'");
    }

    internal static TimeSpan? Duration(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        return DurationText.TryParse(text, out var value, out var error) && value > TimeSpan.Zero
            ? value
            : throw new UsageException($"{option} '{text}' is not a positive duration ({(error.Length > 0 ? error : "e.g. 500ms, 30s, 1m30s")})");
    }

    /// <summary>As <see cref="Duration"/>, for an option whose help says "0 for none": <c>0</c> (or any zero duration,
    /// <c>0s</c>) is <see cref="TimeSpan.Zero"/>.</summary>
    internal static TimeSpan? DurationOrNone(string? text, string option)
    {
        if (text is null)
        {
            return null;
        }

        if (text.Trim() == "0")
        {
            return TimeSpan.Zero;
        }

        return DurationText.TryParse(text, out var value, out var error) && value >= TimeSpan.Zero
            ? value
            : throw new UsageException($"{option} '{text}' is not a duration ({(error.Length > 0 ? error : "e.g. 500ms, 30s, 1m30s; 0 for none")})");
    }
}
