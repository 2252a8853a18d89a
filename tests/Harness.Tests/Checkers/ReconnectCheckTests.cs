using Chaos.Harness.Checkers;
using Chaos.Harness.History;

namespace Chaos.Harness.Tests.Checkers;

/// <summary>Reconnect pacing (docs/checkers.md, "Reconnect pacing"): with a 100 ms first pause and half of it jitter, a
/// correct client never begins an attempt within 45 ms of its previous attempt's start or of its last failure.</summary>
public sealed class ReconnectCheckTests
{
    private static readonly ReconnectEnvelope Pacing = new() { MinDelay = TimeSpan.FromMilliseconds(100), Jitter = 0.5, StormRun = 5 };

    /// <summary>A connection that drops at 1 s, then attempts that each fail 300 ms after they begin, the client pausing
    /// <paramref name="pauses"/> before each; the last one connects. Returns the attempts' indexes.</summary>
    private static List<long> Outage(TestHistory h, params double[] pauses)
    {
        h.Connect("u1", "d1", 0);
        h.ConnectState(HistoryEventType.Ok, "u1", "d1", 100);
        var t = 1_000.0;
        h.ConnectState(HistoryEventType.Fail, "u1", "d1", t);
        var attempts = new List<long>();
        for (var i = 0; i < pauses.Length; i++)
        {
            attempts.Add(h.Connect("u1", "d1", t += pauses[i]));
            h.ConnectState(i == pauses.Length - 1 ? HistoryEventType.Ok : HistoryEventType.Fail, "u1", "d1", t += 300);
        }

        return attempts;
    }

    [Fact]
    public void Check_ABackoffThatGrows_IsValid()
    {
        var h = new TestHistory();
        // the lowest pauses the reference client's policy can draw, attempt after attempt
        Outage(h, 50, 100, 200, 400, 500, 500, 500, 500);

        var result = new ReconnectCheck(Pacing).Check(h.Events);

        result.ShouldHaveNoAnomalies();
        result.Counters["connect-attempts"].Should().Be(9);
        result.Counters["reconnect-attempts"].Should().Be(8);
        result.Counters["reconnect-pauses-short"].Should().Be(0);
    }

    [Fact]
    public void Check_ABackoffThatShrinks_IsAReconnectStorm_EvenWhenEachAttemptTakesLongToFail()
    {
        var h = new TestHistory();
        // attempts begin at least 300 ms apart (each takes that long to fail), yet the pause after each failure shrinks
        var attempts = Outage(h, 100, 50, 25, 12.5, 6.25, 3.1, 1.6, 0.8);

        var result = new ReconnectCheck(Pacing).Check(h.Events);

        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.ReconnectStorm, 1, [attempts[2], attempts[^1]]));
        result.Anomalies[AnomalyNames.ReconnectStorm].Examples[0].Explanation.Should()
            .Be("u1/d1 (app incarnation 1) began 6 connection attempts in a row, each at most 25 ms after its previous attempt began or failed; the client's backoff pauses at least 45 ms");
        result.Counters["reconnect-pauses-short"].Should().Be(6);
    }

    [Fact]
    public void Check_AttemptsThatFailFastWithoutTheClientsReports_AreJudgedFromTheirStarts()
    {
        var h = new TestHistory();
        var attempts = new List<long> { h.Connect("u1", "d1", 0) };
        var t = 0.0;
        foreach (var pause in new[] { 100.0, 50, 25, 12.5, 6.25, 3.1, 1.6, 0.8 })
        {
            attempts.Add(h.Connect("u1", "d1", t += pause));
        }

        var result = new ReconnectCheck(Pacing).Check(h.Events);

        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.ReconnectStorm, 1, [attempts[3], attempts[^1]]));
    }

    [Fact]
    public void Check_FewerShortPausesInARowThanAStorm_OrAConnectionBetweenThem_IsValid()
    {
        var h = new TestHistory();
        var t = 0.0;
        for (var round = 0; round < 2; round++)
        {
            // four short pauses, then the client connects: the run ends there
            for (var i = 0; i < 5; i++)
            {
                h.Connect("u1", "d1", t += 10);
            }

            h.ConnectState(HistoryEventType.Ok, "u1", "d1", t += 1);
        }

        var result = new ReconnectCheck(Pacing).Check(h.Events);

        result.ShouldHaveNoAnomalies();
        result.Counters["reconnect-pauses-short"].Should().Be(8, "four per round: a round's first attempt follows a connection, so it starts anew");
    }

    [Fact]
    public void Check_AttemptsOfDifferentDevicesOrAppIncarnations_AreNotOneClients()
    {
        // four short pauses in a row per client, nine in a row if the clients were read as one
        var h = new TestHistory();
        var t = 0.0;
        for (var i = 0; i < 10; i++)
        {
            h.Connect($"u{1 + (i % 2)}", "d1", t += 1); // two devices interleaved 1 ms apart
        }

        for (var client = 1; client <= 2; client++)
        {
            for (var i = 0; i < 5; i++)
            {
                h.Connect("u3", "d1", t += 1, client); // an app killed and restarted: a new incarnation
            }
        }

        var result = new ReconnectCheck(Pacing).Check(h.Events);

        result.ShouldHaveNoAnomalies();
        result.Counters["reconnect-attempts"].Should().Be(16, "four clients of five attempts each");
        result.Counters["reconnect-pauses-short"].Should().Be(16);
    }

    [Fact]
    public void Check_WithoutAMinimumDelay_CountsAttemptsAndJudgesNone()
    {
        var h = new TestHistory();
        for (var i = 0; i < 30; i++)
        {
            h.Connect("u1", "d1", i);
        }

        var result = new ReconnectCheck().Check(h.Events);

        result.ShouldHaveNoAnomalies();
        result.Counters["connect-attempts"].Should().Be(30);
        result.Counters.Should().NotContainKey("reconnect-pauses-short");
    }

    [Fact]
    public void StandardChecks_JudgeReconnectsWithTheRunsEnvelope()
    {
        var h = new TestHistory();
        for (var i = 0; i < 30; i++)
        {
            h.Connect("u1", "d1", i);
        }

        StandardChecks.Check(h.Events, new CheckOptions { Reconnects = Pacing, RequiredPromises = [] })
            .Anomalies.Should().ContainKey(AnomalyNames.ReconnectStorm);
        StandardChecks.Check(h.Events, new CheckOptions { RequiredPromises = [] })
            .Anomalies.Should().NotContainKey(AnomalyNames.ReconnectStorm, "a history from elsewhere states no client policy");
    }

    [Theory]
    [InlineData(-1, 0.5, 10, "MinDelay")]
    [InlineData(100, 1.5, 10, "Jitter")]
    [InlineData(100, 0.5, 1, "StormRun")]
    public void Envelope_BadValues_AreRefusedByName(int minMs, double jitter, int run, string named)
    {
        var create = () => new ReconnectCheck(new ReconnectEnvelope { MinDelay = TimeSpan.FromMilliseconds(minMs), Jitter = jitter, StormRun = run });

        create.Should().Throw<ArgumentException>().Which.Message.Should().Contain(named);
    }

    private static readonly ReconnectEnvelope Capped = Pacing with { MaxDelay = TimeSpan.FromSeconds(1) };

    [Fact]
    public void Check_TheLongestPausesThePolicyCanDraw_AreNotLate()
    {
        var h = new TestHistory();
        Outage(h, 100, 200, 400, 800, 1_000, 1_000, 1_000);

        var result = new ReconnectCheck(Capped).Check(h.Events);

        result.ShouldHaveNoAnomalies();
        result.Counters["reconnect-pauses-judged-late"].Should().Be(7);
        result.Counters["reconnect-pauses-excused-by-fault"].Should().Be(0);
    }

    [Fact]
    public void Check_PausesStretchedByTheJitter_AreReconnectLate_OncePerClient_AtTheWorstPause()
    {
        // the shape of mutant client-152 (ChatClient's jitter `r * 0.5` -> `r / 0.5`): pauses up to 2.5x the policy's
        var h = new TestHistory();
        var attempts = Outage(h, 250, 500, 1_000, 2_000, 2_500, 2_500);

        var result = new ReconnectCheck(Capped).Check(h.Events);

        // ceilings 100, 200, 400, 800, 1000, 1000 ms + 500 ms: the third pause is 100 ms over, the fifth 1000 ms
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.ReconnectLate, 1, [attempts[3], attempts[4]]));
        result.Anomalies[AnomalyNames.ReconnectLate].Examples[0].Explanation.Should().Be(
            "u1/d1 (app incarnation 1) began connection attempt 5 since it last connected 2500 ms after its previous attempt began or failed; the client's backoff pauses at most 1000 ms before it (+500 ms tolerance), and no device fault was near");
    }

    [Fact]
    public void Check_ALatePauseInARunWhoseHarnessWasOverloaded_IsUndecidedNotReconnectLate()
    {
        // the clients' timers run in the harness: when it could not keep its send schedule, they may have woken late too
        var h = new TestHistory();
        Outage(h, 250, 500, 1_000, 2_000, 2_500, 2_500);
        var marker = h.Marker(HistoryOps.Overloaded, HistoryEventType.Info, detail: "the load generator's schedule lag p99 was 340 ms");

        var result = new ReconnectCheck(Capped).Check(h.Events);

        result.Anomalies.Should().NotContainKey(AnomalyNames.ReconnectLate);
        result.Verdict.Should().Be(Verdict.Unknown);
        result.UnknownReasons.Should().ContainSingle().Which.Should()
            .StartWith("u1/d1 (app incarnation 1) began connection attempt 5 since it last connected 2500 ms")
            .And.EndWith($"but the harness was overloaded (event {marker}: the load generator's schedule lag p99 was 340 ms) and the late pause may be its own");
    }

    [Fact]
    public void Check_ALatePauseNearADeviceFault_IsExcused()
    {
        var h = new TestHistory();
        h.Fault("sleep", HistoryOps.Fault, 900, "u1/d1");
        Outage(h, 250, 500, 1_000, 2_000, 2_500, 2_500);
        h.Fault("sleep", HistoryOps.Heal, 20_000, "u1/d1");

        var result = new ReconnectCheck(Capped).Check(h.Events);

        result.ShouldHaveNoAnomalies();
        result.Counters["reconnect-pauses-excused-by-fault"].Should().Be(6);
    }

    [Fact]
    public void Check_ALatePauseNearAnotherDevicesFault_IsStillJudged()
    {
        var h = new TestHistory();
        h.Fault("sleep", HistoryOps.Fault, 900, "u2/d1");
        var attempts = Outage(h, 250, 500, 1_000, 2_000, 2_500, 2_500);
        h.Fault("sleep", HistoryOps.Heal, 20_000, "u2/d1");

        var result = new ReconnectCheck(Capped).Check(h.Events);

        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.ReconnectLate, 1, [attempts[3], attempts[4]]));
        result.Counters["reconnect-pauses-excused-by-fault"].Should().Be(0);
    }

    [Fact]
    public void Check_WithoutAMaxDelay_PausesAreNotJudgedLate()
    {
        var h = new TestHistory();
        Outage(h, 5_000, 5_000);

        var result = new ReconnectCheck(Pacing).Check(h.Events);

        result.ShouldHaveNoAnomalies();
        result.Counters.Should().NotContainKey("reconnect-pauses-judged-late");
    }
}
