using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Chaos.Harness.Runs;

namespace Chaos.Harness.Reports;

/// <summary>
/// A suite run's own <c>junit.xml</c> and <c>summary.md</c>, beside its runs' folders: the junit gathers every run's
/// suite (each <c>chaos.&lt;scenario&gt;.seed&lt;N&gt;</c>) under one <c>&lt;testsuites&gt;</c>, so a CI server reads one
/// file; the summary is one line per run with its verdict, why, its folder and the command that runs it again. A run
/// that wrote no junit.xml (it could not start) is an errored suite of its own, never left out.
/// </summary>
public static class SuiteReport
{
    /// <summary>Writes <c>junit.xml</c> and <c>summary.md</c> into <paramref name="directory"/> for <paramref name="runs"/>.</summary>
    public static async Task WriteAsync(string name, IReadOnlyList<(string Scenario, long Seed, RunOutcome Outcome)> runs, string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(runs);
        Directory.CreateDirectory(directory);
        var suites = new List<XElement>();
        foreach (var (scenario, seed, outcome) in runs)
        {
            suites.Add(await ReadSuiteAsync(scenario, seed, outcome, cancellationToken).ConfigureAwait(false));
        }

        var total = suites.Sum(s => Seconds(s.Attribute("time")?.Value));
        var root = new XElement(
            "testsuites",
            new XAttribute("name", "chaos." + name),
            new XAttribute("tests", suites.Sum(s => Count(s, "tests"))),
            new XAttribute("failures", suites.Sum(s => Count(s, "failures"))),
            new XAttribute("errors", suites.Sum(s => Count(s, "errors"))),
            new XAttribute("skipped", suites.Sum(s => Count(s, "skipped"))),
            new XAttribute("time", total.ToString("0.000", CultureInfo.InvariantCulture)),
            suites);
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), Async = true };
        var junit = new FileStream(Path.Combine(directory, "junit.xml"), FileMode.Create, FileAccess.Write);
        await using (junit.ConfigureAwait(false))
        {
            var xml = XmlWriter.Create(junit, settings);
            await using (xml.ConfigureAwait(false))
            {
                await new XDocument(root).SaveAsync(xml, cancellationToken).ConfigureAwait(false);
            }
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "summary.md"), Summary(name, runs, directory), new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<XElement> ReadSuiteAsync(string scenario, long seed, RunOutcome outcome, CancellationToken cancellationToken)
    {
        var path = Path.Combine(outcome.Directory, "junit.xml");
        if (File.Exists(path))
        {
            try
            {
                var stream = File.OpenRead(path);
                await using (stream.ConfigureAwait(false))
                {
                    var document = await XDocument.LoadAsync(stream, LoadOptions.None, cancellationToken).ConfigureAwait(false);
                    if (document.Root?.Element("testsuite") is { } suite)
                    {
                        return suite;
                    }
                }
            }
            catch (XmlException)
            {
                // a file we did not write as expected: reported below as the run's error, like a missing one
            }
        }

        var name = $"chaos.{scenario}.seed{seed.ToString(CultureInfo.InvariantCulture)}";
        return new XElement(
            "testsuite",
            new XAttribute("name", name),
            new XAttribute("tests", 1),
            new XAttribute("failures", 0),
            new XAttribute("errors", 1),
            new XAttribute("skipped", 0),
            new XElement(
                "testcase",
                new XAttribute("classname", name),
                new XAttribute("name", "run"),
                new XElement("error", new XAttribute("type", outcome.Verdict.ToString().ToLowerInvariant()), new XAttribute("message", outcome.Message))));
    }

    private static string Summary(string name, IReadOnlyList<(string Scenario, long Seed, RunOutcome Outcome)> runs, string directory)
    {
        var md = new StringBuilder();
        var worst = runs.Count == 0 ? 0 : runs.Max(r => r.Outcome.ExitCode);
        md.Append(CultureInfo.InvariantCulture, $"# Suite {name}: {runs.Count} runs — ");
        md.AppendLine(string.Join(", ", runs.GroupBy(r => r.Outcome.Verdict).OrderBy(g => g.First().Outcome.ExitCode).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}")));
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Exit code {worst} (the worst run's).");
        md.AppendLine();
        md.AppendLine("| scenario | seed | verdict | why | report | reproduce |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var (scenario, seed, outcome) in runs)
        {
            var report = Path.GetRelativePath(directory, Path.Combine(outcome.Directory, "summary.md")).Replace('\\', '/');
            md.AppendLine(CultureInfo.InvariantCulture, $"| {scenario} | {seed} | {outcome.Verdict.ToString().ToLowerInvariant()} | {Cell(outcome.Message)} | [{Cell(report)}]({report}) | `{Cell(outcome.Reproduce ?? "")}` |");
        }

        return md.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static int Count(XElement suite, string attribute) =>
        int.TryParse(suite.Attribute(attribute)?.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0;

    private static double Seconds(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) ? s : 0;
}
