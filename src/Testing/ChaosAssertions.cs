using System.Globalization;
using System.Text;
using Chaos.Harness.Checkers;
using Chaos.Harness.Reports;
using FluentAssertions;
using FluentAssertions.Execution;
using FluentAssertions.Primitives;

namespace Chaos.Testing;

/// <summary>
/// FluentAssertions on what Chaos decided (docs/testing-package.md): <c>result.Should().HoldEveryPromise()</c>,
/// <c>.HaveNo(AnomalyNames.Lost)</c>, <c>latency.Should().KeepP99("steady", 500.Milliseconds())</c>. A failure says
/// which promises broke or were left undecided, with each anomaly's count and first examples — the evidence, not just
/// the verdict.
/// </summary>
public static class ChaosAssertions
{
    public static CheckResultAssertions Should(this CheckResult result) => new(result);

    public static LatencyAssertions Should(this LatencyAnalysis latency) => new(latency);

    public static ChaosRunResultAssertions Should(this ChaosRunResult result) => new(result);

    /// <summary>Each anomaly's name, count and first examples, one per line.</summary>
    internal static string Evidence(IEnumerable<Anomaly> anomalies, int examples = 3)
    {
        var text = new StringBuilder();
        foreach (var anomaly in anomalies)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}  {anomaly.Name} ×{anomaly.Count}");
            foreach (var example in anomaly.Examples.Take(examples))
            {
                text.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}    - {example.Explanation} (events {string.Join(", ", example.Events)})");
            }
        }

        return text.ToString();
    }
}

/// <summary>Assertions on a <see cref="CheckResult"/>: what the checkers decided about a history.</summary>
public sealed class CheckResultAssertions(CheckResult subject) : ReferenceTypeAssertions<CheckResult, CheckResultAssertions>(subject)
{
    protected override string Identifier => "chaos result";

    /// <summary>
    /// The verdict is valid: no promise broke, none is undecided, and none the scenario required went unexercised (a
    /// promise nothing exercised is never "held": docs/checkers.md, "When a promise is exercised").
    /// </summary>
    public AndConstraint<CheckResultAssertions> HoldEveryPromise(string because = "", params object[] becauseArgs)
    {
        var failing = Promises.Evaluate(Subject)
            .Where(o => o.Status is PromiseStatus.Broken or PromiseStatus.Undecided || (o.Status == PromiseStatus.NotExercised && o.Required))
            .ToList();
        var why = new StringBuilder();
        foreach (var outcome in failing)
        {
            why.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}{outcome.Promise.Title}: {outcome.Status switch
            {
                PromiseStatus.Broken => "broken",
                PromiseStatus.Undecided => "undecided — " + string.Join("; ", outcome.UndecidedBecause),
                _ => "required, not exercised — " + outcome.NotExercisedBecause,
            }}");
            why.Append(ChaosAssertions.Evidence(outcome.Broken));
        }

        foreach (var reason in Subject.UnknownReasons.Where(_ => failing.Count == 0))
        {
            why.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}undecided: {reason}");
        }

        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(Subject.Verdict == Verdict.Valid && failing.Count == 0)
            .FailWith("Expected every promise of {context:chaos result} to hold{reason}, but the verdict is "
                + Literal(Subject.Verdict.ToString().ToLowerInvariant() + ":" + why));
        return new AndConstraint<CheckResultAssertions>(this);
    }

    /// <summary>No instance of <paramref name="anomaly"/> (an <see cref="AnomalyNames"/> name), informational or not.</summary>
    public AndConstraint<CheckResultAssertions> HaveNo(string anomaly, string because = "", params object[] becauseArgs)
    {
        var found = Subject.Anomalies.TryGetValue(anomaly, out var a) && a.Count > 0 ? a : null;
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(found is null)
            .FailWith("Expected {context:chaos result} to have no " + Literal(anomaly) + "{reason}, but found:"
                + Literal(found is null ? "" : ChaosAssertions.Evidence([found])));
        return new AndConstraint<CheckResultAssertions>(this);
    }

    /// <summary>At least one instance of <paramref name="anomaly"/> (an <see cref="AnomalyNames"/> name): a defect's run shows what it breaks.</summary>
    public AndConstraint<CheckResultAssertions> Have(string anomaly, string because = "", params object[] becauseArgs)
    {
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(Subject.Anomalies.TryGetValue(anomaly, out var a) && a.Count > 0)
            .FailWith("Expected {context:chaos result} to have " + Literal(anomaly) + "{reason}, but found none; the anomalies found:"
                + Literal(Subject.Anomalies.Values.Any(x => x.Count > 0) ? ChaosAssertions.Evidence(Subject.Anomalies.Values.Where(x => x.Count > 0), 1) : " none"));
        return new AndConstraint<CheckResultAssertions>(this);
    }

    /// <summary>Text FluentAssertions prints as it is: its braces doubled, so evidence is never read as a placeholder.</summary>
    internal static string Literal(string text) => text.Replace("{", "{{", StringComparison.Ordinal).Replace("}", "}}", StringComparison.Ordinal);
}

/// <summary>Assertions on a <see cref="LatencyAnalysis"/>: delivery latency by phase, measured from the history.</summary>
public sealed class LatencyAssertions(LatencyAnalysis subject) : ReferenceTypeAssertions<LatencyAnalysis, LatencyAssertions>(subject)
{
    protected override string Identifier => "delivery latency";

    /// <summary>
    /// The p99 of <paramref name="phase"/> (<c>steady</c>, <c>fault</c> or <c>all</c>) is at most <paramref name="p99"/>;
    /// a phase with no delivery fails (nothing was measured, so nothing was kept).
    /// </summary>
    public AndConstraint<LatencyAssertions> KeepP99(string phase, TimeSpan p99, string because = "", params object[] becauseArgs)
    {
        var measured = Subject.LatencyAt(phase, 99);
        Execute.Assertion
            .BecauseOf(because, becauseArgs)
            .ForCondition(measured is not null)
            .FailWith($"Expected the {CheckResultAssertions.Literal(phase)} phase's p99 {{context:delivery latency}} to be at most {Ms(p99.Ticks * 100)}{{reason}}, but no delivery was measured in it.")
            .Then
            .ForCondition(measured is { } ns && ns <= p99.Ticks * 100)
            .FailWith($"Expected the {CheckResultAssertions.Literal(phase)} phase's p99 {{context:delivery latency}} to be at most {Ms(p99.Ticks * 100)}{{reason}}, but it was {Ms(measured ?? 0)} over {Subject.CountOf(phase)} deliveries (slowest first: "
                + string.Join(", ", Subject.Slowest(phase).Take(3).Select(s => $"{Ms(s.Latency)} (send #{s.SendIndex}, delivery #{s.DeliverIndex})")) + ").");
        return new AndConstraint<LatencyAssertions>(this);
    }

    private static string Ms(long ns) => string.Create(CultureInfo.InvariantCulture, $"{ns / 1_000_000.0:0.#} ms");
}

/// <summary>
/// Assertions on a finished run (<see cref="ChaosRunResult"/>): its exit code and what the checkers found in its
/// history; every failure message ends with the command that reproduces the run and the run's folder.
/// </summary>
public sealed class ChaosRunResultAssertions(ChaosRunResult subject) : ReferenceTypeAssertions<ChaosRunResult, ChaosRunResultAssertions>(subject)
{
    protected override string Identifier => "chaos run";

    /// <summary>The tool exited 0 and the history keeps every promise (<see cref="CheckResultAssertions.HoldEveryPromise"/>).</summary>
    public AndConstraint<ChaosRunResultAssertions> HoldEveryPromise(string because = "", params object[] becauseArgs)
    {
        using (Scope())
        {
            Execute.Assertion
                .BecauseOf(because, becauseArgs)
                .ForCondition(Subject.ExitCode == 0)
                .FailWith("Expected {context:chaos run} to exit 0{reason}, but it exited " + Subject.ExitCode.ToString(CultureInfo.InvariantCulture)
                    + ": " + CheckResultAssertions.Literal(Verdict(Subject.Output)));
            new CheckResultAssertions(Subject.Check).HoldEveryPromise(because, becauseArgs);
        }

        return new AndConstraint<ChaosRunResultAssertions>(this);
    }

    /// <summary>No instance of <paramref name="anomaly"/> in the run's history.</summary>
    public AndConstraint<ChaosRunResultAssertions> HaveNo(string anomaly, string because = "", params object[] becauseArgs)
    {
        using (Scope())
        {
            new CheckResultAssertions(Subject.Check).HaveNo(anomaly, because, becauseArgs);
        }

        return new AndConstraint<ChaosRunResultAssertions>(this);
    }

    /// <summary>At least one instance of <paramref name="anomaly"/> in the run's history (a defect switch's run).</summary>
    public AndConstraint<ChaosRunResultAssertions> Have(string anomaly, string because = "", params object[] becauseArgs)
    {
        using (Scope())
        {
            new CheckResultAssertions(Subject.Check).Have(anomaly, because, becauseArgs);
        }

        return new AndConstraint<ChaosRunResultAssertions>(this);
    }

    /// <summary>The phase's p99 delivery latency, measured from the history, is at most <paramref name="p99"/> (<see cref="LatencyAssertions.KeepP99"/>).</summary>
    public AndConstraint<ChaosRunResultAssertions> KeepP99(string phase, TimeSpan p99, string because = "", params object[] becauseArgs)
    {
        using (Scope())
        {
            new LatencyAssertions(Subject.Latency).KeepP99(phase, p99, because, becauseArgs);
        }

        return new AndConstraint<ChaosRunResultAssertions>(this);
    }

    /// <summary>The tool's verdict line (its last line of output).</summary>
    private static string Verdict(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(it printed nothing)";

    /// <summary>A scope whose failures end with the reproduce command and the run's folder.</summary>
    private AssertionScope Scope()
    {
        var scope = new AssertionScope();
        scope.AddReportable("reproduce", Subject.Reproduce ?? "(the run recorded no reproduce command)");
        scope.AddReportable("run folder", Subject.Folder);
        return scope;
    }
}
