using Chaos.Harness.Checkers;
using Chaos.Harness.History;

namespace Chaos.Harness.Tests.Checkers;

public sealed class LatencyCheckTests
{
    /// <summary>Ten steady sends delivered after 10 ms, then a fault and ten sends delivered after 500 ms.</summary>
    private static TestHistory SteadyThenFault()
    {
        var h = new TestHistory().Device("u1", "d1");
        for (var i = 0; i < 10; i++)
        {
            var at = i * 1000L;
            h.Add("s1", HistoryEventType.Invoke, HistoryOps.Send, new SendValue($"m{i}", ["u1"]), at * 1_000_000);
            h.Add("s1", HistoryEventType.Ok, HistoryOps.Send, new SendValue($"m{i}", ["u1"]), (at + 5) * 1_000_000);
            h.Add("u1/d1", HistoryEventType.Ok, HistoryOps.Deliver, new DeliverValue($"m{i}", "u1", "d1", i + 1), (at + 10) * 1_000_000);
        }

        h.Fault("kill", HistoryOps.Fault, 20_000);
        for (var i = 10; i < 20; i++)
        {
            var at = 20_000 + (i * 1000L);
            h.Add("s1", HistoryEventType.Invoke, HistoryOps.Send, new SendValue($"m{i}", ["u1"]), at * 1_000_000);
            h.Add("s1", HistoryEventType.Ok, HistoryOps.Send, new SendValue($"m{i}", ["u1"]), (at + 5) * 1_000_000);
            h.Add("u1/d1", HistoryEventType.Ok, HistoryOps.Deliver, new DeliverValue($"m{i}", "u1", "d1", i + 1), (at + 500) * 1_000_000);
        }

        h.Fault("kill", HistoryOps.Heal, 60_000);
        return h;
    }

    [Fact]
    public void Analyze_SplitsSteadyAndFaultPhaseByNemesisWindows()
    {
        var analysis = LatencyAnalysis.Analyze(SteadyThenFault().Events);

        analysis.Steady.Count.Should().Be(10);
        analysis.Steady.P99.Should().Be(10_000_000);
        analysis.Fault.Count.Should().Be(10);
        analysis.Fault.P50.Should().Be(500_000_000);
        analysis.Timeline.FaultWindows.Should().ContainSingle().Which.Healed.Should().BeTrue();
        analysis.Series.Sum(b => b.Deliveries).Should().Be(20);
        analysis.Series.Sum(b => b.Sends).Should().Be(20);
    }

    [Fact]
    public void Analyze_PhaseMarkersOverrideNemesisWindows()
    {
        var h = SteadyThenFault();
        h.Add("harness", HistoryEventType.Info, HistoryOps.Phase, new PhaseValue(RunPhases.Steady), 0);

        var analysis = LatencyAnalysis.Analyze(h.Events);

        analysis.Fault.Count.Should().Be(0, "the only phase marker says steady from the start");
    }

    [Fact]
    public void Analyze_UsesIntendedStartWhenRecorded()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Add("s1", HistoryEventType.Invoke, HistoryOps.Send, new SendValue("m1", ["u1"], Intended: 0), 50_000_000);
        h.Add("u1/d1", HistoryEventType.Ok, HistoryOps.Deliver, new DeliverValue("m1", "u1", "d1", 1), 60_000_000);

        LatencyAnalysis.Analyze(h.Events).Overall.Max.Should().Be(60_000_000, "a late start must not hide latency");
    }

    [Fact]
    public void Check_FaultPhaseAboveThreshold_IsLatencySlo()
    {
        var check = new LatencyCheck([LatencyThreshold.Parse("p99=50ms"), LatencyThreshold.Parse("fault:p99=200ms")]);

        var result = check.Check(SteadyThenFault().Events);

        result.Verdict.Should().Be(Verdict.Invalid);
        result.Count(AnomalyNames.LatencySlo).Should().Be(1, "steady state holds its SLO, the fault phase does not");
        var example = result.Anomalies[AnomalyNames.LatencySlo].Examples[0];
        example.Explanation.Should().StartWith("fault p99");
        example.Events.Should().NotBeEmpty();
    }

    [Fact]
    public void Check_WithoutThresholds_IsValid()
    {
        new LatencyCheck().Check(SteadyThenFault().Events).Verdict.Should().Be(Verdict.Valid);
    }

    [Theory]
    [InlineData("p99=500ms", "steady", 99, 500)]
    [InlineData("fault:p95=2s", "fault", 95, 2000)]
    [InlineData("all:max=1500us", "all", 100, 1.5)]
    [InlineData("p99.9=250", "steady", 99.9, 250)]
    public void Parse_ValidText_GivesThreshold(string text, string phase, double percentile, double milliseconds)
    {
        var threshold = LatencyThreshold.Parse(text);

        threshold.Phase.Should().Be(phase);
        threshold.Percentile.Should().Be(percentile);
        threshold.Limit.TotalMilliseconds.Should().BeApproximately(milliseconds, 0.001);
    }

    [Theory]
    [InlineData("p99")]
    [InlineData("q99=1s")]
    [InlineData("later:p99=1s")]
    [InlineData("p99=fast")]
    [InlineData("p99=5parsecs")]
    public void Parse_BadText_ThrowsFormatExceptionNamingTheText(string text)
    {
        var act = () => LatencyThreshold.Parse(text);

        act.Should().Throw<FormatException>().WithMessage($"*{text}*");
    }
}
