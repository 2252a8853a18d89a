using System.Text.Json;
using Chaos.Harness.Checkers;

namespace Chaos.Harness.Reports;

/// <summary>Writes <c>results.json</c>: <c>{"valid": true | false | "unknown", "anomalies": {"&lt;name&gt;": {"count",
/// "examples": [{"events": [indexes], "explanation"}]}}, ...}</c> plus promises (each with its status — held, broken,
/// undecided, not-exercised — and whether it was required and exercised), counters, latency, throughput, faults.</summary>
public static class ResultsJson
{
    /// <summary>Writes the results document to <paramref name="stream"/>.</summary>
    public static void Write(ReportInput input, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = input.Result;
        var latency = input.LatencyOrCompute();
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WritePropertyName("valid");
        WriteValid(json, result.Verdict);
        json.WriteString("scenario", input.Metadata.Scenario);
        if (input.Metadata.Seed is { } seed)
        {
            json.WriteNumber("seed", seed);
        }

        if (input.Metadata.StartedAt is { } started)
        {
            json.WriteString("startedAt", started);
        }

        json.WriteString("history", input.Metadata.History);
        json.WriteNumber("events", input.History.Count);
        json.WriteNumber("skippedLines", input.Metadata.SkippedLines);

        json.WriteStartObject("anomalies");
        foreach (var anomaly in ReportFormat.Ordered(result))
        {
            json.WriteStartObject(anomaly.Name);
            json.WriteNumber("count", anomaly.Count);
            json.WriteBoolean("informational", anomaly.Informational);
            if (anomaly.InformationalReason is not null)
            {
                json.WriteString("reason", anomaly.InformationalReason);
            }

            json.WriteStartArray("examples");
            foreach (var example in anomaly.Examples)
            {
                json.WriteStartObject();
                json.WriteStartArray("events");
                foreach (var index in example.Events)
                {
                    json.WriteNumberValue(index);
                }

                json.WriteEndArray();
                json.WriteString("explanation", example.Explanation);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndObject();

        json.WriteStartArray("unknownReasons");
        foreach (var reason in result.UnknownReasons)
        {
            json.WriteStringValue(reason);
        }

        json.WriteEndArray();

        json.WriteStartArray("promises");
        foreach (var outcome in Promises.Evaluate(result))
        {
            json.WriteStartObject();
            json.WriteString("name", outcome.Promise.Name);
            json.WriteString("title", outcome.Promise.Title);
            json.WriteString("status", ReportFormat.StatusName(outcome.Status));
            json.WriteStartObject("anomalies");
            foreach (var broken in outcome.Broken)
            {
                json.WriteNumber(broken.Name, broken.Count);
            }

            json.WriteEndObject();
            if (outcome.Exercise is { } exercise)
            {
                json.WriteBoolean("required", exercise.Required);
                json.WriteBoolean("exercised", exercise.Exercised);
                json.WriteString("exercise", exercise.Detail);
            }

            if (outcome.UndecidedBecause.Count > 0)
            {
                json.WriteStartArray("undecidedBecause");
                foreach (var reason in outcome.UndecidedBecause)
                {
                    json.WriteStringValue(reason);
                }

                json.WriteEndArray();
            }
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartObject("checks");
        foreach (var (name, check) in result.Checks)
        {
            json.WriteStartObject(name);
            json.WritePropertyName("valid");
            WriteValid(json, check.Verdict);
            json.WriteStartObject("anomalies");
            foreach (var (anomaly, found) in check.Anomalies)
            {
                json.WriteNumber(anomaly, found.Count);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndObject();

        json.WriteStartObject("counters");
        foreach (var (name, value) in result.Counters.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            json.WriteNumber(name, value);
        }

        json.WriteEndObject();

        json.WriteStartObject("latency");
        WriteSummary(json, "ramp", latency.Ramp);
        WriteSummary(json, "steady", latency.Steady);
        WriteSummary(json, "fault", latency.Fault);
        WriteSummary(json, "overall", latency.Overall);
        json.WriteStartArray("slos");
        foreach (var slo in input.Metadata.LatencySlos)
        {
            json.WriteStringValue(slo.ToString());
        }

        json.WriteEndArray();
        json.WriteEndObject();

        json.WriteStartObject("throughput");
        json.WriteNumber("durationMs", latency.Duration / 1e6);
        json.WriteNumber("sends", latency.Sends);
        json.WriteNumber("sendsOk", latency.SendsOk);
        json.WriteNumber("deliveries", latency.Deliveries);
        json.WriteNumber("sendsPerSecond", Math.Round(ReportFormat.PerSecond(latency.Sends, latency.Duration), 3));
        json.WriteNumber("deliveriesPerSecond", Math.Round(ReportFormat.PerSecond(latency.Deliveries, latency.Duration), 3));
        json.WriteEndObject();

        json.WriteStartArray("faults");
        foreach (var fault in latency.Timeline.FaultWindows)
        {
            json.WriteStartObject();
            json.WriteString("fault", fault.Fault);
            if (fault.Target is not null)
            {
                json.WriteString("target", fault.Target);
            }

            json.WriteNumber("startMs", fault.Start / 1e6);
            json.WriteNumber("endMs", fault.End / 1e6);
            json.WriteBoolean("healed", fault.Healed);
            json.WriteStartArray("events");
            json.WriteNumberValue(fault.StartIndex);
            json.WriteNumberValue(fault.EndIndex);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("phases");
        foreach (var phase in latency.Timeline.Marks)
        {
            json.WriteStartObject();
            json.WriteString("name", phase.Name);
            json.WriteNumber("startMs", phase.Time / 1e6);
            json.WriteNumber("event", phase.Index);
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartObject("properties");
        foreach (var (key, value) in input.Metadata.Properties)
        {
            json.WriteString(key, value);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteValid(Utf8JsonWriter json, Verdict verdict)
    {
        switch (verdict)
        {
            case Verdict.Valid: json.WriteBooleanValue(true); break;
            case Verdict.Invalid: json.WriteBooleanValue(false); break;
            default: json.WriteStringValue("unknown"); break;
        }
    }

    private static void WriteSummary(Utf8JsonWriter json, string name, LatencySummary summary)
    {
        json.WriteStartObject(name);
        json.WriteNumber("count", summary.Count);
        json.WriteNumber("p50Ms", summary.P50 / 1e6);
        json.WriteNumber("p95Ms", summary.P95 / 1e6);
        json.WriteNumber("p99Ms", summary.P99 / 1e6);
        json.WriteNumber("maxMs", summary.Max / 1e6);
        json.WriteNumber("meanMs", Math.Round(summary.Mean / 1e6, 3));
        json.WriteEndObject();
    }
}
