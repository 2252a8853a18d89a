using System.Globalization;
using System.Text;
using Chaos.Harness.Checkers;
using Chaos.Harness.History;

namespace Chaos.Harness.Reports;

/// <summary>Writes <c>report.html</c>: one self-contained offline file (inline CSS and SVG, no script, no external
/// reference) with the command that reproduces the run, latency p50/p95/p99 and throughput over time (broken where
/// nothing was delivered), fault windows as lanes by target with anomaly markers, every operation's latency coloured
/// by outcome, the latency distribution, the run's settings, and each anomaly's examples as timelines of their events
/// (docs/checkers.md, "Reports").</summary>
public static class HtmlReport
{
    private const int ExamplesShown = 3;

    /// <summary>At most this many ok operations are drawn (evenly spaced in time order); every fail and info up to
    /// <see cref="MostDrawnFailed"/> each.</summary>
    private const int MostDrawnOk = 6000;

    private const int MostDrawnFailed = 3000;

    /// <summary>Anomaly markers drawn per anomaly (its first examples).</summary>
    private const int MarkersPerAnomaly = 20;

    private const string Style = """
        body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d1d1f;max-width:1000px}
        h1{font-size:1.5em}h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:4px}
        table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top;font-size:.92em}
        th{background:#f5f5f7}.valid{color:#1a7f37}.invalid{color:#cf222e}.unknown{color:#9a6700}
        .held{color:#1a7f37}.broken{color:#cf222e;font-weight:bold}.undecided{color:#9a6700}.not-exercised{color:#6e7781;font-style:italic}
        code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.88em;word-break:break-all}
        svg{display:block;margin:8px 0;background:#fff}.title{font-size:13px;font-weight:600}.axis{font-size:11px;fill:#555}
        .grid{stroke:#eee}.axisline{stroke:#999}.fault{fill:#cf222e;fill-opacity:.12}.fault.lane{fill-opacity:.28;stroke:#cf222e;stroke-opacity:.5}
        .fault.unhealed{stroke-dasharray:3 2}.lanelabel{fill:#6e1018}.marker{fill:#8250df}.bar{fill:#0969da;fill-opacity:.7}.pline{stroke:#1d1d1f;stroke-dasharray:4 3}
        .dots{fill:none;stroke-linecap:round;stroke-width:3.2}.dots.ok{stroke:#1a7f37;stroke-opacity:.45}.dots.fail{stroke:#cf222e}.dots.info{stroke:#bf8700}
        pre{background:#f5f5f7;padding:8px;white-space:pre-wrap;word-break:break-all}
        .ev{fill:#0969da}.ev.ok{fill:#1a7f37}.ev.fail{fill:#cf222e}.ev.info{fill:#9a6700}.ev.invoke{fill:#0969da}
        .example{border-left:3px solid #ddd;padding-left:12px;margin:12px 0}
        """;

    /// <summary>The report as HTML text.</summary>
    public static string Render(ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = input.Result;
        var latency = input.LatencyOrCompute();
        var lookup = ReportFormat.Lookup(input.History);
        var verdict = ReportFormat.VerdictText(result.Verdict);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.Append(CultureInfo.InvariantCulture, $"<title>Chaos: {E(input.Metadata.Scenario)} — {verdict}</title><style>{Style}</style></head><body>");
        html.Append(CultureInfo.InvariantCulture, $"<h1>{E(input.Metadata.Scenario)}: <span class=\"{verdict}\">{verdict.ToUpperInvariant()}</span></h1>");
        html.Append(CultureInfo.InvariantCulture, $"<p>History <code>{E(input.Metadata.History)}</code>, {input.History.Count} events");
        if (input.Metadata.Seed is { } seed)
        {
            html.Append(CultureInfo.InvariantCulture, $", seed {seed}");
        }

        if (input.Metadata.StartedAt is { } started)
        {
            html.Append(CultureInfo.InvariantCulture, $", started {started:u}");
        }

        html.Append(CultureInfo.InvariantCulture, $", {ReportFormat.Ms(latency.Duration)} ms of run time.</p>");
        if (input.Metadata.SkippedLines > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"unknown\">{input.Metadata.SkippedLines} malformed line(s) were skipped (lenient read).</p>");
        }

        if (input.Metadata.Properties.TryGetValue("reproduce", out var reproduce))
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>Reproduce:</p><pre><code>{E(reproduce)}</code></pre>");
        }

        Promises(html, result);
        if (result.UnknownReasons.Count > 0)
        {
            html.Append("<h2>Why the verdict is not decided</h2><ul>");
            foreach (var reason in result.UnknownReasons)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li>{E(reason)}</li>");
            }

            html.Append("</ul>");
        }

        Latency(html, latency, input.Metadata, Markers(result, lookup));
        Operations(html, input.History, latency.Duration);
        Faults(html, latency);
        Anomalies(html, result, lookup);
        Settings(html, input.Metadata);
        html.Append("</body></html>");
        return html.ToString();
    }

    private static void Promises(StringBuilder html, CheckResult result)
    {
        html.Append("<h2>Promises</h2><table><tr><th>Promise</th><th>Status</th><th>Detail</th></tr>");
        foreach (var outcome in Reports.Promises.Evaluate(result))
        {
            var status = ReportFormat.StatusText(outcome.Status);
            var detail = ReportFormat.Detail(outcome);
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(outcome.Promise.Title)}</td><td class=\"{ReportFormat.StatusName(outcome.Status)}\">{status}</td><td>{E(detail)}</td></tr>");
        }

        html.Append("</table>");
    }

    private static void Latency(StringBuilder html, LatencyAnalysis latency, RunMetadata metadata, IReadOnlyList<SvgChart.Marker> markers)
    {
        html.Append("<h2>Delivery latency and throughput</h2>");
        html.Append("<table><tr><th>Phase</th><th>Deliveries</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th></tr>");
        foreach (var (phase, s) in new[] { ("ramp", latency.Ramp), ("steady", latency.Steady), ("fault", latency.Fault), ("overall", latency.Overall) }.Where(r => r.Item1 != "ramp" || r.Item2.Count > 0))
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{phase}</td><td>{s.Count}</td><td>{ReportFormat.Ms(s.P50)}</td><td>{ReportFormat.Ms(s.P95)}</td><td>{ReportFormat.Ms(s.P99)}</td><td>{ReportFormat.Ms(s.Max)}</td></tr>");
        }

        html.Append("</table>");
        if (metadata.LatencySlos.Count > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p>SLOs: {E(string.Join(", ", metadata.LatencySlos))}</p>");
        }

        // A bucket with no delivery is a gap in the latency lines, not a line drawn across a stall.
        double Or(LatencyBucket b, long value) => b.Deliveries > 0 ? value / 1e6 : double.NaN;
        html.Append(SvgChart.TimeSeries("Delivery latency by delivery time", "ms", latency.Duration,
        [
            new SvgChart.Line("p50", "#1a7f37", [.. latency.Series.Select(b => (Mid(b), Or(b, b.P50)))]),
            new SvgChart.Line("p95", "#bf8700", [.. latency.Series.Select(b => (Mid(b), Or(b, b.P95)))]),
            new SvgChart.Line("p99", "#cf222e", [.. latency.Series.Select(b => (Mid(b), Or(b, b.P99)))]),
        ]));
        html.Append(SvgChart.Lanes(latency.Duration, [.. latency.Timeline.FaultWindows.Select(w => new SvgChart.LaneBar(
            w.Target ?? w.Fault, w.Fault, w.Start, w.End, w.Healed))], markers));
        html.Append(SvgChart.TimeSeries("Throughput", "ops/s", latency.Duration,
        [
            new SvgChart.Line("sends/s", "#0969da", [.. latency.Series.Select(b => (Mid(b), b.Sends / ((b.End - b.Start) / 1e9)))]),
            new SvgChart.Line("deliveries/s", "#8250df", [.. latency.Series.Select(b => (Mid(b), b.Deliveries / ((b.End - b.Start) / 1e9)))]),
        ]));
        html.Append(CultureInfo.InvariantCulture,
            $"<p>{latency.Sends} sends ({latency.SendsOk} acknowledged), {latency.Deliveries} first deliveries: {ReportFormat.Number(ReportFormat.PerSecond(latency.Sends, latency.Duration))} sends/s, {ReportFormat.Number(ReportFormat.PerSecond(latency.Deliveries, latency.Duration))} deliveries/s.</p>");
        html.Append(SvgChart.Histogram("Delivery latency distribution (send to first delivery, every device)", latency.AllSorted));
    }

    /// <summary>Each anomaly's first examples in time, at its first event that is in the history.</summary>
    private static List<SvgChart.Marker> Markers(CheckResult result, Func<long, HistoryEvent?> lookup)
    {
        var markers = new List<SvgChart.Marker>();
        foreach (var anomaly in ReportFormat.Ordered(result))
        {
            foreach (var example in anomaly.Examples.Take(MarkersPerAnomaly))
            {
                if (example.Events.Select(lookup).FirstOrDefault(e => e is not null) is { } first)
                {
                    markers.Add(new SvgChart.Marker(first.Time, anomaly.Name, $"{anomaly.Name}: {example.Explanation}"));
                }
            }
        }

        return markers;
    }

    /// <summary>
    /// Every client operation the history pairs (a process's invoke, then its ok, fail or info), as Jepsen draws them:
    /// time to completion by invoke time, coloured by outcome, so an outage shows as a column of info and fail.
    /// </summary>
    private static void Operations(StringBuilder html, IReadOnlyList<HistoryEvent> history, long duration)
    {
        var pending = new Dictionary<string, HistoryEvent>(StringComparer.Ordinal);
        var ok = new List<SvgChart.OperationPoint>();
        var failed = new List<SvgChart.OperationPoint>();
        var byOp = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in history)
        {
            if (e.Process == HistoryOps.NemesisProcess)
            {
                continue; // faults are the lanes above, not operations of the system's clients
            }

            if (e.Type == HistoryEventType.Invoke)
            {
                pending[e.Process] = e;
                continue;
            }

            if (e.Type is HistoryEventType.Ok or HistoryEventType.Fail or HistoryEventType.Info
                && pending.Remove(e.Process, out var invoke) && invoke.F == e.F)
            {
                var point = new SvgChart.OperationPoint(invoke.Time, Math.Max(0, e.Time - invoke.Time), HistoryEvent.TypeName(e.Type));
                (e.Type == HistoryEventType.Ok ? ok : failed).Add(point);
                byOp[e.F] = byOp.GetValueOrDefault(e.F) + 1;
            }
        }

        html.Append("<h2>Operations</h2>");
        if (ok.Count + failed.Count == 0)
        {
            html.Append("<p>No completed operation in the history.</p>");
            return;
        }

        var drawn = Spread(ok, MostDrawnOk).Concat(Spread(failed.Where(p => p.Kind == "fail").ToList(), MostDrawnFailed))
            .Concat(Spread(failed.Where(p => p.Kind == "info").ToList(), MostDrawnFailed)).ToList();
        var total = ok.Count + failed.Count;
        var shown = drawn.Count == total ? $"all {total} drawn" : $"{drawn.Count} of {total} drawn";
        html.Append(SvgChart.Scatter("Operation latency (invoke to completion) by invoke time", duration, drawn, shown));
        html.Append(CultureInfo.InvariantCulture,
            $"<p>{total} operations completed: {E(string.Join(", ", byOp.Select(o => $"{o.Value} {o.Key}")))}; {ok.Count} ok, {failed.Count(p => p.Kind == "fail")} fail, {failed.Count(p => p.Kind == "info")} info (outcome unknown).</p>");
    }

    /// <summary>At most <paramref name="most"/> of <paramref name="points"/>, evenly spaced in their order.</summary>
    private static IEnumerable<SvgChart.OperationPoint> Spread(IReadOnlyList<SvgChart.OperationPoint> points, int most)
    {
        if (points.Count <= most)
        {
            return points;
        }

        return Enumerable.Range(0, most).Select(i => points[(int)((long)i * points.Count / most)]);
    }

    /// <summary>The run's settings as the run recorded them (the reproduce command is shown at the top).</summary>
    private static void Settings(StringBuilder html, RunMetadata metadata)
    {
        var settings = metadata.Properties.Where(p => p.Key != "reproduce").OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        if (settings.Count == 0)
        {
            return;
        }

        html.Append("<h2>Settings</h2><table><tr><th>Setting</th><th>Value</th></tr>");
        foreach (var (key, value) in settings)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(key)}</td><td class=\"mono\">{E(value)}</td></tr>");
        }

        html.Append("</table>");
    }

    private static long Mid(LatencyBucket bucket) => bucket.Start + ((bucket.End - bucket.Start) / 2);

    private static void Faults(StringBuilder html, LatencyAnalysis latency)
    {
        html.Append("<h2>Faults applied</h2>");
        if (latency.Timeline.FaultWindows.Count == 0)
        {
            html.Append("<p>None recorded.</p>");
            return;
        }

        html.Append("<table><tr><th>Fault</th><th>Target</th><th>From ms</th><th>To ms</th><th>Healed</th><th>Events</th></tr>");
        foreach (var w in latency.Timeline.FaultWindows)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(w.Fault)}</td><td>{E(w.Target ?? "")}</td><td>{ReportFormat.Ms(w.Start)}</td><td>{ReportFormat.Ms(w.End)}</td><td>{(w.Healed ? "yes" : "<b>no</b>")}</td><td>{w.StartIndex}, {w.EndIndex}</td></tr>");
        }

        html.Append("</table>");
    }

    private static void Anomalies(StringBuilder html, CheckResult result, Func<long, HistoryEvent?> lookup)
    {
        html.Append("<h2>Anomalies</h2>");
        if (result.Anomalies.Count == 0)
        {
            html.Append("<p>None.</p>");
            return;
        }

        foreach (var anomaly in ReportFormat.Ordered(result))
        {
            html.Append(CultureInfo.InvariantCulture, $"<h3 id=\"{E(anomaly.Name)}\">{E(anomaly.Name)}: {anomaly.Count}");
            if (anomaly.Informational)
            {
                html.Append(CultureInfo.InvariantCulture, $" <small>(informational: {E(anomaly.InformationalReason ?? "")})</small>");
            }

            html.Append("</h3>");
            foreach (var example in anomaly.Examples.Take(ExamplesShown))
            {
                html.Append(CultureInfo.InvariantCulture, $"<div class=\"example\"><p>{E(example.Explanation)}</p>");
                var events = example.Events.Select(i => (Index: i, Event: lookup(i))).ToList();
                html.Append(SvgChart.Timeline([.. events.Where(e => e.Event is not null).Select(e =>
                    (e.Index, e.Event!.Time, $"{e.Event.F} {HistoryEvent.TypeName(e.Event.Type)} {e.Event.Process}", HistoryEvent.TypeName(e.Event.Type)))]));
                html.Append("<table><tr><th>#</th><th>time ms</th><th>process</th><th>type</th><th>f</th><th>value</th></tr>");
                foreach (var (index, e) in events)
                {
                    if (e is null)
                    {
                        html.Append(CultureInfo.InvariantCulture, $"<tr><td>{index}</td><td colspan=\"5\">(not in this history)</td></tr>");
                        continue;
                    }

                    var value = Encoding.UTF8.GetString(e.RawValue.Span);
                    if (value.Length > 400)
                    {
                        value = value[..400] + "…";
                    }

                    html.Append(CultureInfo.InvariantCulture,
                        $"<tr><td>{index}</td><td>{ReportFormat.Ms(e.Time)}</td><td>{E(e.Process)}</td><td>{HistoryEvent.TypeName(e.Type)}</td><td>{E(e.F)}</td><td class=\"mono\">{E(value)}</td></tr>");
                }

                html.Append("</table></div>");
            }

            if (anomaly.Count > Math.Min(ExamplesShown, anomaly.Examples.Count))
            {
                html.Append(CultureInfo.InvariantCulture, $"<p>… and {anomaly.Count - Math.Min(ExamplesShown, anomaly.Examples.Count)} more (results.json lists up to {anomaly.Examples.Count}).</p>");
            }
        }
    }

    private static string E(string text) => SvgChart.Encode(text);
}
