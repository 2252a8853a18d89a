using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Chaos.Harness.Workload;

namespace Chaos.Scenarios.Verify;

/// <summary>The detection matrix as markdown, self-contained HTML and JSON, with detection and false-alarm rates.</summary>
internal sealed class VerifyReport(IReadOnlyList<VerifyCell> cells, int seeds, TimeSpan? duration)
{
    public IReadOnlyList<VerifyCell> Cells => cells;

    /// <summary>Where every run's system ran: processes or containers.</summary>
    public string Topology { get; init; } = "processes";

    /// <summary>The load every run drove (<c>--rate</c>, <c>--users</c> …; the defaults when none was given).</summary>
    public ChatWorkloadOptions Load { get; init; } = new();

    /// <summary>The load in the words the reports use, e.g. "300 sends/s to at most 8 recipients, 500 users × 2 devices, 5 jobs/s".</summary>
    public string LoadText => string.Create(CultureInfo.InvariantCulture,
        $"{Load.Rate:0.##} sends/s to at most {Load.MaxRecipients} recipients, {Load.Users} users × {Load.Devices} devices, {Load.JobRate:0.##} jobs/s");

    public IEnumerable<IGrouping<(string Defect, string Scenario), VerifyCell>> DefectRows =>
        cells.Where(c => c.Defect is not null).GroupBy(c => (c.Defect!, c.Scenario));

    public IEnumerable<IGrouping<string, VerifyCell>> CorrectRows => cells.Where(c => c.Defect is null).GroupBy(c => c.Scenario);

    /// <summary>True when the matrix was stopped (Ctrl-C) before every cell ran: the report is partial and never passes.</summary>
    public bool Aborted { get; init; }

    /// <summary>What the report's title and verify.json say: passed, FAILED, or ABORTED.</summary>
    public string Outcome => Aborted ? "ABORTED" : Passed ? "PASSED" : "FAILED";

    /// <summary>Every expected defect caught in every run of its scenario, no correct run raised an error, and the
    /// matrix ran to its end.</summary>
    public bool Passed => !Aborted &&
        cells.Where(c => c.Defect is not null && IsExpected(c)).All(c => c.Caught) && cells.Where(c => c.Defect is null).All(c => c.Clean);

    private static bool IsExpected(VerifyCell c) =>
        DetectionMatrix.Expectations.Any(e => e.Defect == c.Defect && e.Scenario == c.Scenario);

    public string Markdown()
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Chaos verify — {Outcome}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{seeds} seed(s) per cell{(duration is { } d ? $", fault phase {d.TotalSeconds:0}s" : ", default durations")}, topology {Topology}; load before each scenario's own shape: {LoadText}.");
        md.AppendLine();
        md.AppendLine("## Defects");
        md.AppendLine();
        md.AppendLine("| defect | scenario | expected | detection | anomalies found | outcome |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var row in DefectRows)
        {
            var caught = row.Count(c => c.Caught);
            var found = string.Join(", ", row.SelectMany(c => c.Anomalies).Distinct().Order(StringComparer.Ordinal));
            var expected = row.First().Expected;
            var outcome = string.Join(", ", row.Select(c => c.Outcome).Distinct());
            md.AppendLine(CultureInfo.InvariantCulture, $"| {row.Key.Defect} | {row.Key.Scenario} | {(IsExpected(row.First()) ? string.Join(", ", expected) : "(also run)")} | {caught}/{row.Count()} ({Rate(caught, row.Count())}) | {(found.Length == 0 ? "—" : found)} | {outcome} |");
        }

        md.AppendLine();
        md.AppendLine("## The correct system");
        md.AppendLine();
        md.AppendLine("| scenario | clean runs | false alarms | undecided | anomalies |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var row in CorrectRows)
        {
            var found = string.Join(", ", row.SelectMany(c => c.Anomalies).Distinct().Order(StringComparer.Ordinal));
            md.AppendLine(CultureInfo.InvariantCulture, $"| {row.Key} | {row.Count(c => c.Clean)}/{row.Count()} | {row.Count(c => c.Outcome == "FALSE ALARM")} | {row.Count(c => c.Outcome == "undecided")} | {(found.Length == 0 ? "—" : found)} |");
        }

        var correct = cells.Where(c => c.Defect is null).ToList();
        var expectedRuns = cells.Where(c => c.Defect is not null && IsExpected(c)).ToList();
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Detection rate (expected pairs): {Rate(expectedRuns.Count(c => c.Caught), expectedRuns.Count)} of {expectedRuns.Count} runs. " +
            $"False-alarm rate: {Rate(correct.Count(c => c.Outcome == "FALSE ALARM"), correct.Count)} of {correct.Count} correct runs.");
        if (cells.Count(c => c.EarlierAttempts.Count > 0) is var rerun and > 0)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"{rerun} cell(s) were undecided first and run again with the same seed ({cells.Sum(c => c.EarlierAttempts.Count)} earlier attempt(s), listed under Runs); the rates count each cell's last attempt.");
        }
        md.AppendLine();
        md.AppendLine("## Runs");
        md.AppendLine();
        foreach (var c in cells)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {c.Defect ?? "correct"} × {c.Scenario} seed {c.Seed}: {c.Outcome} — {c.Message} (`{c.Directory}`)");
            foreach (var earlier in c.EarlierAttempts)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"  - an earlier attempt, run again: {earlier}");
            }
        }

        return md.ToString();
    }

    public string Html()
    {
        var body = new StringBuilder();
        body.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Chaos verify</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}")
            .Append(".ok{background:#dfd}.bad{background:#fdd}.unk{background:#ffd}</style></head><body>");
        body.Append(CultureInfo.InvariantCulture, $"<h1>Chaos verify — {(Passed ? "passed" : Outcome)}</h1>");
        body.Append("<h2>Defects</h2><table><tr><th>defect</th><th>scenario</th><th>detection</th><th>anomalies</th></tr>");
        foreach (var row in DefectRows)
        {
            var caught = row.Count(c => c.Caught);
            var css = caught == row.Count() ? "ok" : row.Any(c => c.Outcome == "undecided") ? "unk" : "bad";
            body.Append(CultureInfo.InvariantCulture, $"<tr class=\"{css}\"><td>{E(row.Key.Defect)}</td><td>{E(row.Key.Scenario)}</td><td>{caught}/{row.Count()}</td><td>{E(string.Join(", ", row.SelectMany(c => c.Anomalies).Distinct()))}</td></tr>");
        }

        body.Append("</table><h2>The correct system</h2><table><tr><th>scenario</th><th>clean</th><th>anomalies</th></tr>");
        foreach (var row in CorrectRows)
        {
            var css = row.All(c => c.Clean) ? "ok" : row.Any(c => c.Outcome == "FALSE ALARM") ? "bad" : "unk";
            body.Append(CultureInfo.InvariantCulture, $"<tr class=\"{css}\"><td>{E(row.Key)}</td><td>{row.Count(c => c.Clean)}/{row.Count()}</td><td>{E(string.Join(", ", row.SelectMany(c => c.Anomalies).Distinct()))}</td></tr>");
        }

        body.Append("</table></body></html>");
        return body.ToString();

        static string E(string s) => WebUtility.HtmlEncode(s);
    }

    public string Json() => JsonSerializer.Serialize(new
    {
        passed = Passed,
        aborted = Aborted,
        seeds,
        topology = Topology,
        load = new { rate = Load.Rate, jobRate = Load.JobRate, users = Load.Users, devices = Load.Devices, maxRecipients = Load.MaxRecipients },
        runs = cells.Select(c => new
        {
            defect = c.Defect,
            scenario = c.Scenario,
            seed = c.Seed,
            verdict = c.Verdict.ToString().ToLowerInvariant(),
            outcome = c.Outcome,
            anomalies = c.Anomalies,
            expected = c.Expected,
            directory = c.Directory,
            message = c.Message,
            earlierAttempts = c.EarlierAttempts,
        }),
    }, new JsonSerializerOptions { WriteIndented = true });

    public async Task WriteAsync(string directory, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "verify.md"), Markdown(), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "verify.html"), Html(), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(directory, "verify.json"), Json(), cancellationToken);
    }

    private static string Rate(int n, int of) => of == 0 ? "n/a" : (100.0 * n / of).ToString("0.#", CultureInfo.InvariantCulture) + "%";
}
