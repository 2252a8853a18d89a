using System.Globalization;
using System.Text;
using System.Text.Json;
using Chaos.Harness.Runs;
using Chaos.Harness.Topology.Processes;

namespace Chaos.Harness.Reports;

/// <summary>
/// A capacity search as a table (<c>capacity.md</c>, also what <c>chaos capacity</c> prints) and as
/// <c>capacity.json</c> (docs/load.md, "Capacity").
/// </summary>
public static class CapacityReport
{
    /// <summary>The column header of the step table.</summary>
    public const string Header = "| sends/s | deliveries/s | p50 ms | p99 ms | sends | not ok | verdict | held | CPU % of a core (harness, kafka, each instance) |";

    /// <summary>One step as a table row.</summary>
    public static string Row(CapacityStep step, TimeSpan p99Limit)
    {
        ArgumentNullException.ThrowIfNull(step);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {step.Rate:0} | {step.DeliveriesPerSecond:0} | {step.P50.TotalMilliseconds:0} | {step.P99.TotalMilliseconds:0} | {step.Sends} | {step.Errors} | {step.Verdict.ToString().ToLowerInvariant()} | {(step.FailureOf(p99Limit) is null ? "yes" : "no")} | {Cpu(step.Cpu)} |");
    }

    /// <summary>The whole search as markdown.</summary>
    public static string ToMarkdown(CapacityResult result, CapacityOptions options)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        var w = options.Run.Workload;
        var text = new StringBuilder();
        text.AppendLine("# Capacity");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"{w.Users} users × {w.Devices} devices, 1–{w.MaxRecipients} recipients per message, {w.JobRate:0.#} jobs/s; steps of {options.Step:0} sends/s from {options.From:0} to {options.To:0}, each measured over {options.StepDuration.TotalSeconds:0.#} s; a step holds while p99 ≤ {options.P99Limit.TotalMilliseconds:0} ms, every send ends ok, no promise breaks and the harness keeps its schedule.");
        text.AppendLine();
        text.AppendLine(Summary(result));
        text.AppendLine();
        text.AppendLine(Header);
        text.AppendLine("|---:|---:|---:|---:|---:|---:|---|---|---|");
        foreach (var step in result.Steps)
        {
            text.AppendLine(Row(step, options.P99Limit));
        }

        if (result.Idle.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"Idle (deployed and settled, no load, {result.IdleWindow.TotalSeconds:0.#} s): {Cpu(result.Idle)}.");
        }

        return text.ToString();
    }

    /// <summary>The knee and why the search stopped, in two sentences.</summary>
    public static string Summary(CapacityResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var knee = result.Knee is { } k
            ? string.Create(CultureInfo.InvariantCulture,
                $"knee: {k.Rate:0} sends/s = {k.DeliveriesPerSecond:0} deliveries/s (p50 {k.P50.TotalMilliseconds:0} ms, p99 {k.P99.TotalMilliseconds:0} ms, harness {Share(k.Cpu, "harness")})")
            : "knee: below the first step (no step held)";
        return $"{knee}; stopped {result.StopReason}.";
    }

    /// <summary>Writes <c>capacity.md</c> and <c>capacity.json</c> into <paramref name="directory"/>.</summary>
    public static async Task WriteAsync(CapacityResult result, CapacityOptions options, string directory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "capacity.md"), ToMarkdown(result, options), cancellationToken);
        var json = new
        {
            p99LimitMs = options.P99Limit.TotalMilliseconds,
            stepSeconds = options.StepDuration.TotalSeconds,
            knee = result.Knee is { } k ? new { sendsPerSecond = k.Rate, deliveriesPerSecond = Math.Round(k.DeliveriesPerSecond), p50Ms = k.P50.TotalMilliseconds, p99Ms = k.P99.TotalMilliseconds } : null,
            stopReason = result.StopReason,
            steps = result.Steps.Select(s => new
            {
                sendsPerSecond = s.Rate,
                deliveriesPerSecond = Math.Round(s.DeliveriesPerSecond),
                p50Ms = s.P50.TotalMilliseconds,
                p99Ms = s.P99.TotalMilliseconds,
                sends = s.Sends,
                notOk = s.Errors,
                verdict = s.Verdict.ToString().ToLowerInvariant(),
                broken = s.Broken,
                overloaded = s.Overloaded,
                held = s.FailureOf(options.P99Limit) is null,
                cpu = s.Cpu.ToDictionary(c => c.Name, c => Math.Round(c.Percent, 1)),
                run = s.Directory,
                note = s.Note,
            }),
            idleCpu = result.Idle.ToDictionary(c => c.Name, c => Math.Round(c.Percent, 1)),
        };
        await File.WriteAllTextAsync(Path.Combine(directory, "capacity.json"), JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true }), cancellationToken);
    }

    private static string Cpu(IReadOnlyList<ProcessCpuShare> shares) =>
        shares.Count == 0
            ? "n/a"
            : string.Join(", ", shares.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Name} {s.Percent:0.#}")));

    private static string Share(IReadOnlyList<ProcessCpuShare> shares, string name) =>
        shares.FirstOrDefault(s => s.Name == name) is { Name: not null } s && shares.Sum(x => x.Percent) is var total && total > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{s.Percent:0.#} % of a core, {s.Percent * 100 / total:0} % of all the CPU the run used")
            : "CPU n/a";
}
