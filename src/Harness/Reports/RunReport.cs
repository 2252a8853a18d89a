using System.Text;

namespace Chaos.Harness.Reports;

/// <summary>Writes a run's report files into a folder: results.json, summary.md, junit.xml, report.html.</summary>
public static class RunReport
{
    /// <summary>The files <see cref="WriteAsync"/> writes.</summary>
    public static IReadOnlyList<string> Files { get; } = ["results.json", "summary.md", "junit.xml", "report.html"];

    /// <summary>Writes every report file into <paramref name="directory"/> (created if missing).</summary>
    public static async Task WriteAsync(ReportInput input, string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        Directory.CreateDirectory(directory);

        // Latency is computed once for all four files.
        input = input with { Latency = input.LatencyOrCompute() };
        await using (var results = File.Create(Path.Combine(directory, "results.json")))
        {
            ResultsJson.Write(input, results);
        }

        await using (var junit = File.Create(Path.Combine(directory, "junit.xml")))
        {
            JUnitReport.Write(input, junit);
        }

        var utf8 = new UTF8Encoding(false);
        await File.WriteAllTextAsync(Path.Combine(directory, "summary.md"), SummaryMarkdown.Render(input), utf8, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "report.html"), HtmlReport.Render(input), utf8, cancellationToken);
    }
}
