using Chaos.Harness.Checkers;

namespace Chaos.Harness.Tests.Checkers;

/// <summary>Reconnect pacing (docs/checkers.md, "Reconnect pacing"), judged from the connection attempts the harness
/// observed: with a 100 ms first pause and half of it jitter, no correct attempt follows another within 45 ms.</summary>
public sealed class ReconnectCheckTests
{
    private static readonly ReconnectEnvelope Pacing = new() { MinDelay = TimeSpan.FromMilliseconds(100), Jitter = 0.5, StormRun = 10 };

    [Fact]
    public void Check_ABackoffThatGrows_IsValid()
    {
        var h = new TestHistory();
        h.Connect("u1", "d1", 0);
        var t = 1_000.0;
        foreach (var pause in new[] { 50.0, 100, 200, 400, 500, 500, 500, 1000 })
        {
            // the lowest pause the reference client's policy can draw, attempt after attempt
            t += pause;
            h.Connect("u1", "d1", t);
        }

        var result = new ReconnectCheck(Pacing).Check(h.Events);

        result.ShouldHaveNoAnomalies();
        result.Counters["connect-attempts"].Should().Be(9);
        result.Counters["reconnect-attempts"].Should().Be(8);
        result.Counters["reconnect-gaps-short"].Should().Be(0);
    }

    [Fact]
    public void Check_ABackoffThatShrinks_IsAReconnectStorm()
    {
        var h = new TestHistory();
        var attempts = new List<long> { h.Connect("u1", "d1", 0) };
        var t = 0.0;
        foreach (var pause in new[] { 100.0, 50, 25, 12.5, 6.25, 3.1, 1.6, 0.8, 0.4, 0.2, 0.1, 0.1, 0.1 })
        {
            t += pause;
            attempts.Add(h.Connect("u1", "d1", t));
        }

        var result = new ReconnectCheck(Pacing).Check(h.Events);

        // the first two pauses are long enough; the eleven after them are each under 45 ms
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.ReconnectStorm, 1, [attempts[2], attempts[^1]]));
        result.Anomalies[AnomalyNames.ReconnectStorm].Examples[0].Explanation.Should()
            .Be("u1/d1 (app incarnation 1) made 12 connection attempts in 50.1 ms, each at most 25 ms after the one before; the client's backoff waits at least 45 ms");
        result.Counters["reconnect-gaps-short"].Should().Be(11);
    }

    [Fact]
    public void Check_FewerShortGapsInARowThanAStorm_IsValid()
    {
        // two reconnect loops of one client interleaving (or the harness restarting an app just after its last try):
        // a few short gaps, then the backoff again
        var h = new TestHistory();
        var t = 0.0;
        for (var i = 0; i < 9; i++)
        {
            h.Connect("u1", "d1", t += 10);
        }

        h.Connect("u1", "d1", t += 500);
        for (var i = 0; i < 9; i++)
        {
            h.Connect("u1", "d1", t += 10);
        }

        var result = new ReconnectCheck(Pacing).Check(h.Events);

        result.ShouldHaveNoAnomalies();
        result.Counters["reconnect-gaps-short"].Should().Be(17);
    }

    [Fact]
    public void Check_AttemptsOfDifferentDevicesOrAppIncarnations_AreNotOneClients()
    {
        // six short gaps in a row per client, eleven in a row if the clients were read as one
        var h = new TestHistory();
        var t = 0.0;
        for (var i = 0; i < 12; i++)
        {
            h.Connect($"u{1 + (i % 2)}", "d1", t += 1); // two devices interleaved 1 ms apart
        }

        for (var client = 1; client <= 2; client++)
        {
            for (var i = 0; i < 6; i++)
            {
                h.Connect("u3", "d1", t += 1, client); // an app killed and restarted: a new incarnation
            }
        }

        var result = new ReconnectCheck(Pacing).Check(h.Events);

        result.ShouldHaveNoAnomalies();
        result.Counters["reconnect-attempts"].Should().Be(20, "four clients of six attempts each");
        result.Counters["reconnect-gaps-short"].Should().Be(20);
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
        result.Counters.Should().NotContainKey("reconnect-gaps-short");
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
}
