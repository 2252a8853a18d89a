using System.CommandLine;
using Chaos.Harness.Checkers;
using Chaos.Harness.History;
using Chaos.Harness.Reports;

namespace Chaos.Scenarios.Commands;

/// <summary><c>chaos check &lt;history.jsonl&gt; --out DIR [--lenient]</c>: re-checks a saved history offline with the
/// run's own checkers and writes results.json, summary.md, junit.xml and report.html. Exit 0 valid, 1 invalid,
/// 2 unknown, malformed line (named by number) or unreadable file.</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var history = new Argument<FileInfo>("history") { Description = "The history (JSON Lines) to check, or a run folder holding one (history.jsonl)." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Where to write the reports (default: reports/check-<utc stamp>)." };
        var lenient = new Option<bool>("--lenient") { Description = "Skip and count malformed lines instead of failing on the first." };
        var slos = new Option<string[]>("--slo")
        {
            Description = "A latency SLO, repeatable: [steady|fault|all:]pNN=DURATION, e.g. steady:p99=500ms, fault:p99=2s. "
                + "Without a phase it applies to every phase on its own: steady state and, when the run had one, the fault phase "
                + "(all: pools the whole run).",
            AllowMultipleArgumentsPerToken = false,
        };
        var informational = new Option<string[]>("--informational")
        {
            Description = "Report an anomaly without failing on it, repeatable: NAME=REASON.",
        };
        var require = new Option<string[]>("--require")
        {
            Description = "A promise the history must exercise, repeatable (" + string.Join(", ", PromiseNames.All) + ", or none); one that was not "
                + "makes the verdict unknown (exit 2). Default: the delivery promises (" + string.Join(", ", PromiseNames.Delivery) + ").",
            AllowMultipleArgumentsPerToken = false,
        };
        var retryBase = new Option<string?>("--retry-base-delay") { Description = "The job retry policy's first delay (e.g. 100ms), doubling per retry: retries sooner than half of it are a retry-storm; later than all of it (capped by --retry-max-delay) plus 1 s after the previous call's answer, with no fault near, a retry-late." };
        var retryMax = new Option<string?>("--retry-max-delay") { Description = "The job retry policy's longest delay (e.g. 10s); default: uncapped." };
        var retryBudget = new Option<int?>("--retry-max-attempts") { Description = "The job attempt budget (first attempt included): more observed calls are a retry-budget-exceeded; all failing and not dead-lettered, an exhausted-not-dead-lettered; fewer, all failing and dead-lettered with no fault near, a dead-lettered-early." };
        var reconnectMin = new Option<string?>("--reconnect-min-delay") { Description = "The device clients' first reconnect pause before jitter (e.g. 100ms): five attempts in a row begun sooner than half of it after the previous attempt or failure are a reconnect-storm." };
        var reconnectMax = new Option<string?>("--reconnect-max-delay") { Description = "The device clients' longest reconnect pause (e.g. 1s), with --reconnect-min-delay: an attempt later than its pause (doubling from the first, capped here) plus 500 ms, with no fault on that device near, is a reconnect-late." };
        var scenario = new Option<string>("--scenario") { Description = "The scenario name shown in the reports.", DefaultValueFactory = _ => "check" };
        var optionsFile = new Option<FileInfo?>("--options")
        {
            Description = "Judge by these check options (a run's check-options.json). Default: the check-options.json beside the history, "
                + "when no --slo, --informational, --require, --retry-* or --reconnect-* is given.",
        };

        var json = JsonOutput.CreateOption();
        var style = new OutputStyle();
        var command = new Command("check", "Re-check a saved history offline and write its reports.")
        {
            history, output, lenient, slos, informational, require, retryBase, retryMax, retryBudget, reconnectMin, reconnectMax, scenario, optionsFile, json,
        };
        style.AddTo(command);
        command.SetAction((parse, cancellationToken) => JsonOutput.RunAsync(parse.GetValue(json), "check", async results =>
        {
            var print = style.Bind(parse, parse.GetValue(json));
            CheckOptions options;
            var file = parse.GetValue(history)!;
            if (Directory.Exists(file.FullName))
            {
                // a run folder: its history, and (below) the check options saved beside it
                var inside = new FileInfo(Path.Combine(file.FullName, "history.jsonl"));
                if (!inside.Exists)
                {
                    await Console.Error.WriteLineAsync($"chaos check: {file.FullName} is a folder without a history.jsonl: give a run folder or a history file");
                    return ExitCodes.RunFailed;
                }

                file = inside;
            }

            var flagsGiven = (parse.GetValue(slos) ?? []).Length > 0 || (parse.GetValue(informational) ?? []).Length > 0
                || (parse.GetValue(require) ?? []).Length > 0 || parse.GetValue(retryBase) is not null || parse.GetValue(retryBudget) is not null
                || parse.GetValue(reconnectMin) is not null || parse.GetValue(retryMax) is not null || parse.GetValue(reconnectMax) is not null;
            var saved = parse.GetValue(optionsFile)
                ?? (flagsGiven ? null : new FileInfo(Path.Combine(file.DirectoryName ?? ".", CheckOptionsFile.FileName)) is { Exists: true } beside ? beside : null);
            if (saved is not null && flagsGiven)
            {
                await Console.Error.WriteLineAsync("chaos check: --options and --slo/--informational/--require/--retry-*/--reconnect-* exclude each other: put every option in the file, or give them all as flags");
                return ExitCodes.RunFailed;
            }

            if (saved is not null)
            {
                try
                {
                    options = CheckOptionsFile.Parse(await File.ReadAllTextAsync(saved.FullName, cancellationToken));
                }
                catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
                {
                    await Console.Error.WriteLineAsync($"chaos check: check options {saved.FullName}: {ex.Message}");
                    return ExitCodes.RunFailed;
                }

                print.Info($"check options: {saved.FullName} (SLOs: {(options.LatencySlos.Count == 0 ? "none" : string.Join(", ", options.LatencySlos))}; "
                    + $"required: {(options.RequiredPromises.Count == 0 ? "none" : string.Join(", ", options.RequiredPromises))})");
            }
            else
            {
                try
                {
                    options = new CheckOptions
                    {
                        LatencySlos = [.. (parse.GetValue(slos) ?? []).Select(LatencyThreshold.Parse)],
                        Informational = ParseInformational(parse.GetValue(informational) ?? []),
                        RequiredPromises = ParseRequired(parse.GetValue(require) ?? []),
                        Retries = new RetryEnvelope
                        {
                            BaseDelay = parse.GetValue(retryBase) is { } text ? LatencyThreshold.ParseDuration(text) : null,
                            MaxDelay = parse.GetValue(retryMax) is { } maxText ? LatencyThreshold.ParseDuration(maxText) : null,
                            MaxAttempts = parse.GetValue(retryBudget),
                        },
                        Reconnects = new ReconnectEnvelope
                        {
                            MinDelay = parse.GetValue(reconnectMin) is { } minText ? LatencyThreshold.ParseDuration(minText) : null,
                            MaxDelay = parse.GetValue(reconnectMax) is { } reconnectMaxText ? LatencyThreshold.ParseDuration(reconnectMaxText) : null,
                        },
                    };
                    options.Retries.Validate();
                    options.Reconnects.Validate();
                }
                catch (Exception ex) when (ex is FormatException or ArgumentException)
                {
                    await Console.Error.WriteLineAsync($"chaos check: {ex.Message}");
                    return ExitCodes.RunFailed;
                }
            }

            var outDir = parse.GetValue(output)?.FullName
                ?? Path.Combine("reports", $"check-{TimeProvider.System.GetUtcNow():yyyyMMdd-HHmmss}");
            CheckResult result;
            try
            {
                result = await OfflineCheck.RunAsync(
                    file.FullName,
                    outDir,
                    parse.GetValue(lenient) ? HistoryReadMode.Lenient : HistoryReadMode.Strict,
                    options,
                    new RunMetadata { Scenario = parse.GetValue(scenario)!, History = file.Name },
                    cancellationToken);
            }
            catch (HistoryFormatException ex)
            {
                await Console.Error.WriteLineAsync($"chaos check: {file.Name}: {ex.Message} (use --lenient to skip malformed lines)");
                return ExitCodes.RunFailed;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"chaos check: cannot read {file.FullName} or write {outDir}: {ex.Message}");
                return ExitCodes.RunFailed;
            }

            await Console.Out.WriteLineAsync(Describe(result, outDir, print));
            results.Add(outDir, "results.json", new Dictionary<string, string?> { ["history"] = file.FullName, ["verdict"] = result.Verdict.ToString().ToLowerInvariant() });
            return result.Verdict switch
            {
                Verdict.Valid => ExitCodes.Valid,
                Verdict.Invalid => ExitCodes.Invalid,
                _ => ExitCodes.RunFailed,
            };
        }));
        return command;
    }

    /// <summary>The promises named by <c>--require</c>: none given means the default (the delivery promises); <c>none</c>
    /// alone means no requirement.</summary>
    private static IReadOnlyList<string> ParseRequired(string[] values)
    {
        if (values.Length == 0)
        {
            return PromiseNames.Delivery;
        }

        if (values is ["none"])
        {
            return [];
        }

        foreach (var value in values)
        {
            if (!PromiseNames.IsKnown(value))
            {
                throw new FormatException($"--require '{value}': not a promise (known: {string.Join(", ", PromiseNames.All)}, or none alone)");
            }
        }

        return [.. values.Distinct(StringComparer.Ordinal)];
    }

    private static Dictionary<string, string> ParseInformational(string[] values)
    {
        var declared = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || string.IsNullOrWhiteSpace(value[(equals + 1)..]))
            {
                throw new FormatException($"--informational '{value}': expected NAME=REASON (a reason is required)");
            }

            declared[value[..equals].Trim()] = value[(equals + 1)..].Trim();
        }

        return declared;
    }

    private static string Describe(CheckResult result, string outDir, OutputStyle print)
    {
        var verdict = result.Verdict switch { Verdict.Valid => "valid", Verdict.Invalid => "INVALID", _ => "UNKNOWN" };
        var lines = new List<string> { $"verdict: {print.Verdict(verdict)}" };
        lines.AddRange(result.Anomalies.Values.OrderBy(a => a.Name, StringComparer.Ordinal)
            .Select(a => $"  {a.Name}: {a.Count}{(a.Informational ? " (informational)" : "")}" +
                (a.Examples.Count > 0 ? $" — e.g. {a.Examples[0].Explanation} [events {string.Join(", ", a.Examples[0].Events)}]" : "")));
        lines.AddRange(result.UnknownReasons.Select(r => $"  undecided: {r}"));
        lines.AddRange(result.Exercise.Values.Where(e => e is { Exercised: false, Required: false })
            .Select(e => $"  not exercised (not required): {e.Promise} — {e.Detail}"));
        if (!print.Quiet)
        {
            lines.Add($"reports: {outDir}");
        }

        return string.Join(Environment.NewLine, lines);
    }
}
