using Chaos.Harness.Checkers;

namespace Chaos.Harness.Reports;

/// <summary>What a report says about the run besides the verdict: scenario, seed, when, the SLOs judged, and any
/// further facts (key → value) the runner wants shown. Phases, faults and the latency / throughput series come from
/// the history itself, so <c>chaos check</c> rebuilds them offline.</summary>
public sealed record RunMetadata
{
    /// <summary>The scenario's name (<c>check</c> for an offline re-check).</summary>
    public string Scenario { get; init; } = "check";

    /// <summary>The run's seed, when known.</summary>
    public long? Seed { get; init; }

    /// <summary>When the run started, when known.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>How long the run took, from its start to its verdict, when known (junit.xml's <c>time</c>).</summary>
    public TimeSpan? Elapsed { get; init; }

    /// <summary>The history file's name or path as shown in the report.</summary>
    public string History { get; init; } = "history.jsonl";

    /// <summary>Malformed lines a lenient read skipped.</summary>
    public long SkippedLines { get; init; }

    /// <summary>Latency SLOs the run was judged against.</summary>
    public IReadOnlyList<LatencyThreshold> LatencySlos { get; init; } = [];

    /// <summary>Further facts shown in the report (e.g. rate, users, defects switched on).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
}
