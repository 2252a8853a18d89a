using System.CommandLine;
using System.Globalization;
using Chaos.Harness.Checkers;
using Chaos.Harness.Runs;
using Chaos.Reference.Adapter;
using Chaos.Scenarios.Catalog;
using Chaos.Scenarios.Verify;

namespace Chaos.Scenarios.Commands;

/// <summary>
/// <c>chaos verify</c>: the detection matrix — each defect against the scenario(s) that must expose it, and the correct
/// system against every scenario. Exit 0 only when every defect is caught and no correct run raised an error.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var seeds = new Option<string?>("--seeds") { Description = "Seeds per cell (default 1; the nightly suite uses 20)." };
        var firstSeed = new Option<string?>("--seed") { Description = "The first seed (default 1)." };
        var duration = new Option<string?>("--duration") { Description = "Fault-phase length of every run (default: each scenario's)." };
        var output = new Option<string?>("--out") { Description = "The verify folder (default reports/verify-<utc stamp>)." };
        var full = new Option<bool>("--full") { Description = "Also run every defect against every other scenario (shows where a defect is caught elsewhere)." };
        var only = new Option<string[]>("--defect") { Description = "Only these defects (repeatable); the correct-system runs are skipped unless --correct is given." };
        var correct = new Option<bool>("--correct") { Description = "With --defect: still run the correct system against every scenario." };
        var onlyScenarios = new Option<string[]>("--scenario") { Description = "Only cells of these scenarios (repeatable): their defects and the correct system's runs of them." };
        var retries = new Option<string?>("--retries")
        {
            Description = $"Run a cell again with the same seed when its run was undecided (the harness was overloaded, a fault found nothing to act on), at most this many times (default 1, 0..{UndecidedRetry.MaxRetries}); a false alarm or a miss is never re-run.",
        };
        var topology = TopologyOption.Create("Where every run's system runs: processes (default) or containers (Docker; docs/containers.md).");
        var json = JsonOutput.CreateOption();
        var load = new LoadOptionSet();
        var style = new OutputStyle();
        var command = new Command("verify", "Run the detection matrix: every defect caught by its scenario, the correct system never flagged.")
        {
            seeds, firstSeed, duration, output, full, only, correct, onlyScenarios, retries, topology, json,
        };
        load.AddTo(command);
        style.AddTo(command);
        command.SetAction((parse, outer) => JsonOutput.RunAsync(parse.GetValue(json), "verify", async results =>
        {
            var print = style.Bind(parse, parse.GetValue(json));
            using var shutdown = new ShutdownSignals(outer);
            var ct = shutdown.Token;
            try
            {
                var seedCount = Int(parse.GetValue(seeds), "--seeds", 1, 1, 1000);
                var seed0 = Int(parse.GetValue(firstSeed), "--seed", 1, 0, int.MaxValue);
                var durationValue = RunCommand.Duration(parse.GetValue(duration), "--duration");
                var defects = RunCommand.Defects(parse.GetValue(only), ReferenceSystemAdapter.Instance).ToArray();
                var retryCount = Int(parse.GetValue(retries), "--retries", 1, 0, UndecidedRetry.MaxRetries);
                var workload = load.Bind(parse);
                workload.Validate();

                var scenarios = parse.GetValue(onlyScenarios) ?? [];
                if (scenarios.FirstOrDefault(x => ScenarioCatalog.Find(x) is null) is { } missing)
                {
                    throw new UsageException($"--scenario '{missing}' is not a scenario (known: {string.Join(", ", ScenarioCatalog.Everything.Select(x => x.Name))})");
                }

                var topologyKind = TopologyOption.Parse(parse.GetValue(topology));

                if (!await TopologyOption.EnsureAvailableAsync("verify", topologyKind, ct))
                {
                    return ExitCodes.RunFailed;
                }

                var plan = Plan(defects, parse.GetValue(full), defects.Length == 0 || parse.GetValue(correct), scenarios)
                    .Where(cell => scenarios.Length == 0 || scenarios.Contains(cell.Scenario, StringComparer.Ordinal))
                    .ToList();
                if (plan.Count == 0)
                {
                    throw new UsageException("no cell of the matrix matches --defect and --scenario (verify --help; the matrix is in docs/defects.md)");
                }

                var root = parse.GetValue(output) ?? Path.Combine("reports", "verify-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
                var cells = new List<VerifyCell>();
                var eta = new SuiteProgress(plan.Count * seedCount, TimeProvider.System);
                foreach (var (defect, scenarioName, expected) in plan)
                {
                    for (var s = 0; s < seedCount && !ct.IsCancellationRequested; s++)
                    {
                        var seed = seed0 + s;
                        var dir = Path.Combine(root, $"{defect ?? "correct"}--{scenarioName}--seed{seed}");
                        if (ScenarioCatalog.Find(scenarioName) is not { } scenario)
                        {
                            cells.Add(new VerifyCell(defect, scenarioName, seed, Verdict.Unknown, [], expected, dir, "no such scenario in the catalogue"));
                            eta.Completed();
                            continue;
                        }

                        var label = $"{defect ?? "correct system"} × {scenarioName} seed {seed}";
                        print.Info($"verify: {label} {eta.Describe()}");
                        var cell = await UndecidedRetry.RunAsync(
                            async attempt =>
                            {
                                var outcome = await RunPipeline.RunAsync(scenario, new RunOptions
                                {
                                    Seed = seed,
                                    Duration = durationValue,
                                    Workload = workload,
                                    System = ReferenceSystemAdapter.Instance,
                                    Defects = defect is null ? [] : [defect],
                                    OutputDirectory = attempt == 0 ? dir : $"{dir}--retry{attempt}",
                                    Topology = topologyKind,
                                }, progress: null, ct);
                                var found = outcome.Result?.Anomalies.Where(a => a.Value.Count > 0 && !a.Value.Informational).Select(a => a.Key).Order(StringComparer.Ordinal).ToList() ?? [];
                                return new VerifyCell(defect, scenarioName, seed, outcome.Verdict, found, expected, outcome.Directory, outcome.Message);
                            },
                            retryCount,
                            (undecided, next) => print.Info($"verify: {label}: undecided ({undecided.Message}); running it again with the same seed (re-run {next} of at most {retryCount})"),
                            ct);
                        eta.Completed();
                        Console.WriteLine($"verify: {label}: {print.Verdict(cell.Outcome)} ({cell.Message})");
                        cells.Add(cell);
                    }
                }

                // stopped by Ctrl-C: the cells that ran are reported, and the matrix is said to be partial, never passed
                var report = new VerifyReport(cells, seedCount, durationValue) { Topology = topologyKind.ToString().ToLowerInvariant(), Load = workload, Aborted = ct.IsCancellationRequested };
                await report.WriteAsync(root, CancellationToken.None);
                print.Info(report.Markdown());
                Console.WriteLine(report.Aborted
                    ? $"verify: {print.Verdict("ABORTED")} after {cells.Count} of {plan.Count * seedCount} run(s); partial report — {Path.GetFullPath(Path.Combine(root, "verify.md"))}"
                    : $"verify: {print.Verdict(report.Passed ? "passed" : "FAILED")} — {Path.GetFullPath(Path.Combine(root, "verify.md"))}");
                results.Add(root, "verify.json", new Dictionary<string, string?> { ["verdict"] = report.Outcome.ToLowerInvariant() });
                return ct.IsCancellationRequested ? ExitCodes.RunFailed : report.Passed ? ExitCodes.Valid : ExitCodes.Invalid;
            }
            catch (Exception e) when (e is UsageException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"chaos verify: {e.Message}");
                return ExitCodes.RunFailed;
            }
        }));
        return command;
    }

    /// <summary>
    /// The cells: each defect in the scenarios that must catch it (with <paramref name="full"/>, in every other scenario
    /// too), and the correct system in every scenario. Exploratory scenarios join only when <paramref name="named"/>
    /// names them (<c>--scenario random-mix</c>: their false-alarm and detection rates are what the nightly measures).
    /// </summary>
    private static List<(string? Defect, string Scenario, IReadOnlyList<string> Expected)> Plan(string[] onlyDefects, bool full, bool includeCorrect, string[] named)
    {
        var plan = new List<(string?, string, IReadOnlyList<string>)>();
        var scenarios = ScenarioCatalog.All.Concat(ScenarioCatalog.Exploratory.Where(s => named.Contains(s.Name, StringComparer.Ordinal))).ToList();
        var defects = onlyDefects.Length > 0 ? onlyDefects : [.. DetectionMatrix.Expectations.Select(e => e.Defect).Distinct()];
        foreach (var defect in defects)
        {
            foreach (var e in DetectionMatrix.Expectations.Where(e => e.Defect == defect))
            {
                plan.Add((defect, e.Scenario, e.Anomalies));
            }

            if (full)
            {
                foreach (var scenario in scenarios.Where(s => !DetectionMatrix.Expectations.Any(e => e.Defect == defect && e.Scenario == s.Name)))
                {
                    plan.Add((defect, scenario.Name, []));
                }
            }
        }

        if (includeCorrect)
        {
            foreach (var scenario in scenarios)
            {
                plan.Add((null, scenario.Name, []));
            }
        }

        return plan;
    }

    private static int Int(string? text, string option, int fallback, int min, int max)
    {
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min && v <= max
            ? v
            : throw new UsageException($"{option} must be a whole number within {min}..{max}, got '{text}'");
    }
}
