using System.CommandLine;
using Chaos.Harness.Coverage;

namespace Chaos.Scenarios.Commands;

/// <summary>
/// <c>chaos coverage DIR [--json] [--out FILE]</c>: which failure-handling branches of the system the runs under DIR
/// reached, by scenario, and which none did (issue 11 §1, docs/failure-paths.md). Reads the <c>failure-paths.json</c>
/// every run writes into its folder. Exit 0 when it reported, 2 when DIR holds no run that wrote one or a report is
/// unreadable (named). Unreached paths are the report's content, not a failure.
/// </summary>
internal static class CoverageCommand
{
    public static Command Create()
    {
        var directory = new Argument<DirectoryInfo>("dir") { Description = "A run folder, or a folder of runs (a suite's or verify's --out)." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of Markdown." };
        var output = new Option<FileInfo?>("--out") { Description = "Also write the report to this file." };
        var command = new Command("coverage", "Which failure paths of the system the runs in a folder reached, by scenario.") { directory, json, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var root = parse.GetValue(directory)!;
            if (!root.Exists)
            {
                await Console.Error.WriteLineAsync($"chaos coverage: no folder {root.FullName}");
                return ExitCodes.RunFailed;
            }

            var (matrix, problems) = FailurePathMatrix.Collect(root.FullName);
            foreach (var problem in problems)
            {
                await Console.Error.WriteLineAsync($"chaos coverage: unreadable report: {problem}");
            }

            if (matrix.Runs.Count == 0)
            {
                await Console.Error.WriteLineAsync(
                    $"chaos coverage: no run under {root.FullName} wrote {FailurePathReport.FileName} (every `chaos run` writes one into its folder; docs/failure-paths.md)");
                return ExitCodes.RunFailed;
            }

            var text = parse.GetValue(json) ? matrix.ToJson() + "\n" : matrix.ToMarkdown();
            await Console.Out.WriteAsync(text);
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, text, cancellationToken);
            }

            return problems.Count == 0 ? ExitCodes.Valid : ExitCodes.RunFailed;
        });
        return command;
    }
}
