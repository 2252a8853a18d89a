using Chaos.Harness.Checkers;
using Chaos.Harness.Reports;
using Chaos.Harness.Runs;
using Chaos.Harness.Topology.Processes;

namespace Chaos.Harness.Tests.Runs;

public sealed class CapacitySearchTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMilliseconds(500);

    private static CapacityStep Step(double rate, double p99Ms = 100, long errors = 0, string[]? broken = null, bool overloaded = false, string? note = null) =>
        new(rate, rate * 7, TimeSpan.FromMilliseconds(p99Ms / 3), TimeSpan.FromMilliseconds(p99Ms), (long)rate * 10, errors,
            broken is { Length: > 0 } ? Verdict.Invalid : Verdict.Valid, broken ?? [], overloaded,
            [new ProcessCpuShare("kafka", 30), new ProcessCpuShare("harness", 10)], "/tmp/x", note);

    [Fact]
    public void The_rates_step_from_from_to_to_inclusive()
    {
        var options = new CapacityOptions { From = 300, Step = 300, To = 3000, Run = new RunOptions { OutputDirectory = "." } };

        options.Steps.Should().Be(10);
        Enumerable.Range(0, options.Steps).Select(options.RateOf).Should().Equal(300, 600, 900, 1200, 1500, 1800, 2100, 2400, 2700, 3000);
        (options with { To = 3299 }).Steps.Should().Be(10, "a last step that would pass `to` is not taken");
        (options with { From = 0.1, Step = 0.1, To = 0.3 }).Steps.Should().Be(3, "rounding does not drop the last step");
    }

    [Theory]
    [InlineData(0, 300, 3000, "from ≤ to")]
    [InlineData(300, 0, 3000, "from ≤ to")]
    [InlineData(3000, 300, 300, "from ≤ to")]
    [InlineData(1, 1, 3000, "take bigger steps")]
    public void Bad_rates_are_refused_naming_the_problem(double from, double step, double to, string named)
    {
        var options = new CapacityOptions { From = from, Step = step, To = to, Run = new RunOptions { OutputDirectory = "." } };

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().WithMessage($"*{named}*");
    }

    [Fact]
    public void A_step_fails_for_the_first_reason_that_applies()
    {
        Step(300).FailureOf(Limit).Should().BeNull();
        Step(300, p99Ms: 501).FailureOf(Limit).Should().Be("p99 501 ms > 500 ms");
        Step(300, errors: 4).FailureOf(Limit).Should().Be("4 of 3000 sends did not end ok (shed, failed or unknown)");
        Step(300, p99Ms: 900, overloaded: true).FailureOf(Limit).Should().StartWith("the harness was overloaded");
        Step(300, p99Ms: 900, broken: ["lost"]).FailureOf(Limit).Should().Be("a promise broke: lost");
        Step(300, note: "the system did not start").FailureOf(Limit).Should().Be("the run could not be measured: the system did not start");
        (Step(300) with { Sends = 0 }).FailureOf(Limit).Should().Be("no send was made", "a step that made no send held nothing");
    }

    [Fact]
    public void The_summary_names_the_knee_with_the_harness_share()
    {
        var knee = Step(600);
        var result = new CapacityResult([Step(300), knee, Step(900, p99Ms: 700)], knee, "at 900 sends/s p99 700 ms > 500 ms", [], TimeSpan.Zero);

        CapacityReport.Summary(result).Should().Be(
            "knee: 600 sends/s = 4200 deliveries/s (p50 33 ms, p99 100 ms, harness 10 % of a core, 25 % of all the CPU the run used); stopped at 900 sends/s p99 700 ms > 500 ms.");
        CapacityReport.Summary(result with { Knee = null }).Should().StartWith("knee: below the first step (no step held)");
        result.PromiseBroken.Should().BeFalse();
        (result with { Steps = [Step(300, broken: ["duplicate"])] }).PromiseBroken.Should().BeTrue();
        CapacityReport.ToMarkdown(result, new CapacityOptions { Run = new RunOptions { OutputDirectory = "." } })
            .Should().Contain("| 900 | 6300 | 233 | 700 | 9000 | 0 | valid | no | kafka 30, harness 10 |");
    }
}
