using Chaos.Harness.Checkers;
using Chaos.Harness.History;

namespace Chaos.Harness.Tests.Checkers;

public sealed class LatencyCheckTests
{
    /// <summary>u1/d1 (event 0); ten steady sends m0..m9 delivered after 10 ms (m_i: invoke 1+3i, ok 2+3i, deliver
    /// 3+3i); a fault (31); ten sends m10..m19 delivered after 500 ms (invoke 32+3(i−10), deliver 34+3(i−10)); the heal (62).</summary>
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

    /// <summary>The three slowest fault-phase deliveries of <see cref="SteadyThenFault"/> (all 500 ms: the earliest
    /// deliveries first), send invoke and delivery each.</summary>
    private static readonly long[] SlowestFault = [32, 34, 35, 37, 38, 40];

    /// <summary>The same for the steady phase (all 10 ms).</summary>
    private static readonly long[] SlowestSteady = [1, 3, 4, 6, 7, 9];

    [Fact]
    public void Analyze_SplitsSteadyAndFaultPhaseByNemesisWindows()
    {
        var analysis = LatencyAnalysis.Analyze(SteadyThenFault().Events);

        analysis.Steady.Count.Should().Be(10);
        analysis.Steady.P99.Should().Be(10_000_000);
        analysis.Fault.Count.Should().Be(10);
        analysis.Fault.P50.Should().Be(500_000_000);
        analysis.Timeline.FaultWindows.Should().ContainSingle().Which.Healed.Should().BeTrue();
        analysis.Timeline.HasFaultPhase.Should().BeTrue();
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
        analysis.Timeline.HasFaultPhase.Should().BeFalse();
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
    public void Analyze_KeepsTheSlowestOfEachPhaseBounded()
    {
        var analysis = LatencyAnalysis.Analyze(ManySlowFaultDeliveries(faultSamples: 120).Events);

        analysis.Slowest(LatencyThreshold.Fault).Should().HaveCount(LatencyAnalysis.SlowestKept);
        analysis.Slowest(LatencyThreshold.Steady).Should().HaveCount(10);
        analysis.Slowest(LatencyThreshold.All).Should().HaveCount(LatencyAnalysis.SlowestKept);
        analysis.Slowest(LatencyThreshold.All).Select(s => s.Latency).Should().BeInDescendingOrder().And.OnlyContain(l => l == 500_000_000);
    }

    [Fact]
    public void Check_BreachInARunWhoseHarnessWasOverloaded_IsUndecidedNamingTheMarker()
    {
        var h = SteadyThenFault();
        var marker = h.Add(HistoryOps.NemesisProcess, HistoryEventType.Info, HistoryOps.Overloaded, new MarkerValue(Detail: "schedule lag p99 250 ms"), 61_000_000_000);

        var result = new LatencyCheck([LatencyThreshold.Parse("fault:p99=200ms")]).Check(h.Events);

        result.Verdict.Should().Be(Verdict.Unknown);
        result.Anomalies.Should().BeEmpty("an overloaded harness measured partly its own delay");
        result.UnknownReasons.Should().ContainSingle().Which.Should().Be(
            $"fault p99 delivery latency 500 ms > 200 ms, but the harness was overloaded (event {marker}: schedule lag p99 250 ms): not a verdict on the system");
    }

    [Fact]
    public void Check_SloMetInARunWhoseHarnessWasOverloaded_StillHolds()
    {
        var h = SteadyThenFault();
        h.Add(HistoryOps.NemesisProcess, HistoryEventType.Info, HistoryOps.Overloaded, new MarkerValue(Detail: "lag"), 61_000_000_000);

        var result = new LatencyCheck([LatencyThreshold.Parse("fault:p99=600ms")]).Check(h.Events);

        result.Verdict.Should().Be(Verdict.Valid);
        result.UnknownReasons.Should().BeEmpty();
    }

    [Fact]
    public void Analyze_SendsInvokedInTheRamp_CountInTheRampAndOverallOnly()
    {
        // the first five steady sends (invoked at 0..4 s) fall in a ramp that ends at 4.5 s
        var h = new TestHistory();
        h.Add("harness", HistoryEventType.Info, HistoryOps.Phase, new PhaseValue(RunPhases.Ramp), 0);
        foreach (var e in SteadyThenFault().Events)
        {
            h.Add(e.Process, e.Type, e.F, e.Op!, e.Time);
        }

        h.Add("harness", HistoryEventType.Info, HistoryOps.Phase, new PhaseValue(RunPhases.Steady), 4_500_000_000);
        h.Add("harness", HistoryEventType.Info, HistoryOps.Phase, new PhaseValue(RunPhases.Fault), 20_000_000_000);

        var analysis = LatencyAnalysis.Analyze(h.Events);

        analysis.Ramp.Count.Should().Be(5);
        analysis.Steady.Count.Should().Be(5);
        analysis.Fault.Count.Should().Be(10);
        analysis.Overall.Count.Should().Be(20);
    }

    [Fact]
    public void Check_FaultPhaseAboveThreshold_IsLatencySloCitingTheSlowestFaultDeliveries()
    {
        var check = new LatencyCheck([LatencyThreshold.Parse("steady:p99=50ms"), LatencyThreshold.Parse("fault:p99=200ms")]);

        var result = check.Check(SteadyThenFault().Events);

        result.Verdict.Should().Be(Verdict.Invalid);
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.LatencySlo, 1, SlowestFault));
        result.Anomalies[AnomalyNames.LatencySlo].Examples[0].Explanation.Should().Be(
            "fault p99 delivery latency 500 ms > 200 ms over 10 deliveries (SLO fault:p99=200ms; events: the 3 slowest of the phase, send invoke and delivery)");
    }

    /// <summary>Ten steady sends delivered after 10 ms except m3 after 100 ms; then <paramref name="faultSamples"/> sends
    /// in a fault window, each delivered after 500 ms — far more slow fault samples than one run-wide list kept.</summary>
    private static TestHistory ManySlowFaultDeliveries(int faultSamples)
    {
        var h = new TestHistory().Device("u1", "d1");
        for (var i = 0; i < 10; i++)
        {
            var at = i * 1000L;
            h.Add("s1", HistoryEventType.Invoke, HistoryOps.Send, new SendValue($"m{i}", ["u1"]), at * 1_000_000);
            h.Add("u1/d1", HistoryEventType.Ok, HistoryOps.Deliver, new DeliverValue($"m{i}", "u1", "d1", i + 1), (at + (i == 3 ? 100 : 10)) * 1_000_000);
        }

        h.Fault("kill", HistoryOps.Fault, 20_000);
        for (var i = 0; i < faultSamples; i++)
        {
            var at = 20_000 + (i * 100L);
            h.Add("s1", HistoryEventType.Invoke, HistoryOps.Send, new SendValue($"f{i}", ["u1"]), at * 1_000_000);
            h.Add("u1/d1", HistoryEventType.Ok, HistoryOps.Deliver, new DeliverValue($"f{i}", "u1", "d1", 11 + i), (at + 500) * 1_000_000);
        }

        h.Fault("kill", HistoryOps.Heal, 20_000 + (faultSamples * 100L) + 1000);
        return h;
    }

    [Fact]
    public void Check_SteadyBreachWhileTheFaultPhaseIsSlower_CitesTheSlowestSteadyDeliveries()
    {
        // Regression: only the run's 50 slowest samples were kept, all fault-phase here, so a steady breach cited no event.
        var h = ManySlowFaultDeliveries(faultSamples: 60);
        var check = new LatencyCheck([LatencyThreshold.Parse("steady:max=50ms")]);

        var result = check.Check(h.Events);

        // m3 (invoke 7, deliver 8, 100 ms) first, then the earliest 10 ms ones: m0 (1, 2) and m1 (3, 4)
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.LatencySlo, 1, [7, 8, 1, 2, 3, 4]));
        result.Anomalies[AnomalyNames.LatencySlo].Examples[0].Explanation.Should().StartWith("steady max delivery latency 100 ms > 50 ms over 10 deliveries");
    }

    [Fact]
    public void Check_ThresholdWithoutPhase_JudgesEveryPhaseOnItsOwn()
    {
        var tight = new LatencyCheck([LatencyThreshold.Parse("p99=5ms")]).Check(SteadyThenFault().Events);
        var loose = new LatencyCheck([LatencyThreshold.Parse("p99=50ms")]).Check(SteadyThenFault().Events);

        // 5 ms: both phases breach, each citing its own slowest deliveries
        tight.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.LatencySlo, 2, SlowestSteady, SlowestFault));
        tight.Anomalies[AnomalyNames.LatencySlo].Examples.Select(e => e.Explanation[..e.Explanation.IndexOf(" delivery", StringComparison.Ordinal)])
            .Should().Equal("steady p99", "fault p99");
        tight.Anomalies[AnomalyNames.LatencySlo].Examples[0].Explanation.Should().Contain("(SLO p99=5ms, every phase;");

        // 50 ms: steady state (10 ms) holds, the fault phase (500 ms) does not — not steady-only any more
        loose.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.LatencySlo, 1, SlowestFault));
    }

    [Fact]
    public void Check_ThresholdWithoutPhaseInARunWithoutFaultPhase_JudgesSteadyState()
    {
        var h = new TestHistory().Device("u1", "d1");
        var invoke = h.Add("s1", HistoryEventType.Invoke, HistoryOps.Send, new SendValue("m1", ["u1"]), 0);
        var deliver = h.Add("u1/d1", HistoryEventType.Ok, HistoryOps.Deliver, new DeliverValue("m1", "u1", "d1", 1), 80_000_000);

        var result = new LatencyCheck([LatencyThreshold.Parse("p99=50ms")]).Check(h.Events);

        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.LatencySlo, 1, [invoke, deliver]));
        LatencyCheck.PhasesOf(LatencyThreshold.Parse("p99=50ms"), LatencyAnalysis.Analyze(h.Events).Timeline).Should().Equal(LatencyThreshold.Steady);
    }

    [Fact]
    public void Check_WithoutThresholds_IsValid()
    {
        var result = new LatencyCheck().Check(SteadyThenFault().Events);

        result.Verdict.Should().Be(Verdict.Valid);
        result.ShouldHaveNoAnomalies();
        result.Counters["latency-samples-steady"].Should().Be(10);
        result.Counters["latency-samples-fault"].Should().Be(10);
    }

    [Fact]
    public void Check_ThresholdOfAPhaseWithoutDeliveries_IsNotJudged()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Add("s1", HistoryEventType.Invoke, HistoryOps.Send, new SendValue("m1", ["u1"]), 0);
        h.Add("u1/d1", HistoryEventType.Ok, HistoryOps.Deliver, new DeliverValue("m1", "u1", "d1", 1), 80_000_000);

        var result = new LatencyCheck([LatencyThreshold.Parse("fault:p99=1ms")]).Check(h.Events);

        // nothing to judge; the exercise checker reports latency-slo as not exercised (ExerciseCheckTests)
        result.Verdict.Should().Be(Verdict.Valid);
        result.ShouldHaveNoAnomalies();
    }

    [Theory]
    [InlineData("p99=500ms", "each", 99, 500)]
    [InlineData("steady:p99=500ms", "steady", 99, 500)]
    [InlineData("fault:p95=2s", "fault", 95, 2000)]
    [InlineData("all:max=1500us", "all", 100, 1.5)]
    [InlineData("each:p50=1s", "each", 50, 1000)]
    [InlineData("p99.9=250", "each", 99.9, 250)]
    public void Parse_ValidText_GivesThreshold(string text, string phase, double percentile, double milliseconds)
    {
        var threshold = LatencyThreshold.Parse(text);

        threshold.Phase.Should().Be(phase);
        threshold.Percentile.Should().Be(percentile);
        threshold.Limit.TotalMilliseconds.Should().BeApproximately(milliseconds, 0.001);
    }

    [Theory]
    [InlineData("p99=500ms", "p99=500ms")]
    [InlineData("each:p99=1s", "p99=1000ms")]
    [InlineData("steady:p99=500ms", "steady:p99=500ms")]
    [InlineData("all:max=2s", "all:max=2000ms")]
    public void ToString_RoundTripsThroughParse(string text, string expected)
    {
        var threshold = LatencyThreshold.Parse(text);

        threshold.ToString().Should().Be(expected);
        LatencyThreshold.Parse(threshold.ToString()).Should().Be(threshold);
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
