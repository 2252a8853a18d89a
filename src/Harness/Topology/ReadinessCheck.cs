using System.Text.RegularExpressions;

namespace Chaos.Harness.Topology;

/// <summary>
/// How to know a node is ready: a line on its stdout matching <see cref="ReadyLine"/> and/or an HTTP GET of
/// <see cref="HealthPath"/> answering 2xx. With both, the line comes first (it announces the endpoint), then the
/// GET. Named groups of the pattern become the node's endpoints, e.g.
/// <c>^listening: (?&lt;endpoint&gt;http://\S+)$</c> or <c>^bootstrap: (?&lt;bootstrap&gt;\S+)$</c>.
/// </summary>
public sealed record ReadinessCheck
{
    /// <summary>No check: the node is ready as soon as it has started.</summary>
    public static ReadinessCheck None { get; } = new();

    /// <summary>A pattern matched against each stdout line of the node.</summary>
    public Regex? ReadyLine { get; init; }

    /// <summary>A path (e.g. <c>/healthz</c>) requested with GET on the endpoint named <see cref="HealthEndpoint"/>.</summary>
    public string? HealthPath { get; init; }

    /// <summary>Which endpoint the health path is relative to.</summary>
    public string HealthEndpoint { get; init; } = "endpoint";

    /// <summary>Ready when stdout shows a line matching <paramref name="pattern"/>.</summary>
    public static ReadinessCheck Line(string pattern) =>
        new() { ReadyLine = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)) };

    /// <summary>Ready when GET <paramref name="path"/> on the <c>endpoint</c> endpoint answers 2xx.</summary>
    public static ReadinessCheck Http(string path) => new() { HealthPath = path };

    /// <summary>Ready when the line has been seen and then GET <paramref name="path"/> answers 2xx.</summary>
    public static ReadinessCheck LineThenHttp(string pattern, string path) => Line(pattern) with { HealthPath = path };
}
