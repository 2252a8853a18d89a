using System.Text;

namespace Chaos.Harness.Reports;

/// <summary>Writes <c>summary.md</c>: promises held or broken, anomaly counts with an example each, latency steady
/// versus fault phase, throughput, faults applied.</summary>
public static class SummaryMarkdown
{
    /// <summary>The summary as Markdown text.</summary>
    public static string Render(ReportInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = input.Result;
        var latency = input.LatencyOrCompute();
        var md = new StringBuilder();
        md.AppendLine($"# Chaos run: {input.Metadata.Scenario} — {ReportFormat.VerdictText(result.Verdict).ToUpperInvariant()}");
        md.AppendLine();
        md.Append($"History `{input.Metadata.History}`: {input.History.Count} events");
        md.Append(input.Metadata.Seed is { } seed ? $", seed {seed}" : "");
        md.Append(input.Metadata.StartedAt is { } started ? $", started {started:u}" : "");
        md.AppendLine($", {ReportFormat.Ms(latency.Duration)} ms of run time.");
        if (input.Metadata.SkippedLines > 0)
        {
            md.AppendLine();
            md.AppendLine($"**{input.Metadata.SkippedLines} malformed line(s) were skipped (lenient read): the verdict covers the rest only.**");
        }

        md.AppendLine();
        md.AppendLine("## Promises");
        md.AppendLine();
        md.AppendLine("| Promise | Status | Anomalies |");
        md.AppendLine("|---|---|---|");
        foreach (var outcome in Promises.Evaluate(result))
        {
            var detail = ReportFormat.Detail(outcome) is { Length: > 0 } text ? Escape(text) : "—";
            md.AppendLine($"| {outcome.Promise.Title} | {ReportFormat.StatusText(outcome.Status)} | {detail} |");
        }

        if (result.UnknownReasons.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Why the verdict is not decided");
            md.AppendLine();
            foreach (var reason in result.UnknownReasons)
            {
                md.AppendLine($"- {reason}");
            }
        }

        md.AppendLine();
        md.AppendLine("## Anomalies");
        md.AppendLine();
        if (result.Anomalies.Count == 0)
        {
            md.AppendLine("None.");
        }
        else
        {
            md.AppendLine("| Anomaly | Count | Example | Events |");
            md.AppendLine("|---|---|---|---|");
            foreach (var anomaly in ReportFormat.Ordered(result))
            {
                var name = anomaly.Informational ? $"{anomaly.Name} (informational: {Escape(anomaly.InformationalReason ?? "")})" : $"**{anomaly.Name}**";
                var example = anomaly.Examples.Count > 0 ? anomaly.Examples[0] : null;
                md.AppendLine($"| {name} | {anomaly.Count} | {Escape(example?.Explanation ?? "")} | {(example is null ? "" : string.Join(", ", example.Events))} |");
            }
        }

        md.AppendLine();
        md.AppendLine("## Delivery latency (deliver − send invoke)");
        md.AppendLine();
        md.AppendLine("| Phase | Deliveries | p50 ms | p95 ms | p99 ms | max ms |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (var (phase, summary) in new[] { ("ramp", latency.Ramp), ("steady", latency.Steady), ("fault", latency.Fault), ("overall", latency.Overall) }.Where(r => r.Item1 != "ramp" || r.Item2.Count > 0))
        {
            md.AppendLine($"| {phase} | {summary.Count} | {ReportFormat.Ms(summary.P50)} | {ReportFormat.Ms(summary.P95)} | {ReportFormat.Ms(summary.P99)} | {ReportFormat.Ms(summary.Max)} |");
        }

        if (input.Metadata.LatencySlos.Count > 0)
        {
            md.AppendLine();
            md.AppendLine($"SLOs: {string.Join(", ", input.Metadata.LatencySlos.Select(s => $"`{s}`"))}.");
        }

        md.AppendLine();
        md.AppendLine("## Throughput");
        md.AppendLine();
        md.AppendLine($"{latency.Sends} sends ({latency.SendsOk} acknowledged), {latency.Deliveries} first deliveries over {ReportFormat.Ms(latency.Duration)} ms: " +
            $"{ReportFormat.Number(ReportFormat.PerSecond(latency.Sends, latency.Duration))} sends/s, " +
            $"{ReportFormat.Number(ReportFormat.PerSecond(latency.Deliveries, latency.Duration))} deliveries/s.");
        if (result.Counters.TryGetValue("redeliveries-dropped", out var dropped) && dropped > 0)
        {
            md.AppendLine($"Transport redeliveries dropped by clients: {dropped} (counted, not anomalies).");
        }

        md.AppendLine();
        md.AppendLine("## Faults applied");
        md.AppendLine();
        if (latency.Timeline.FaultWindows.Count == 0)
        {
            md.AppendLine("None recorded.");
        }
        else
        {
            md.AppendLine("| Fault | Target | From ms | To ms | Healed |");
            md.AppendLine("|---|---|---|---|---|");
            foreach (var fault in latency.Timeline.FaultWindows)
            {
                md.AppendLine($"| {Escape(fault.Fault)} | {Escape(fault.Target ?? "")} | {ReportFormat.Ms(fault.Start)} | {ReportFormat.Ms(fault.End)} | {(fault.Healed ? "yes" : "**no**")} |");
            }
        }

        if (input.Metadata.Properties.Count > 0)
        {
            md.AppendLine();
            md.AppendLine("## Run");
            md.AppendLine();
            foreach (var (key, value) in input.Metadata.Properties)
            {
                md.AppendLine($"- {Escape(key)}: {Escape(value)}");
            }
        }

        return md.ToString();
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
