using Chaos.Harness.Checkers;
using Chaos.Harness.Tests.Checkers;
using Chaos.Testing;
using Xunit.Sdk;

namespace Chaos.Harness.Tests.Testing;

/// <summary>The Chaos.Testing assertions on checked histories: they pass on a clean one and fail on a broken one with the evidence.</summary>
public sealed class ChaosAssertionsTests
{
    /// <summary>Two messages sent to u1 and delivered in order, then synced.</summary>
    private static TestHistory Clean()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Send("s1", "m2", "u1", 2);
        h.Deliver("u1", "d1", "m2", 2);
        h.Sync("u1", "d1", ("m1", 1), ("m2", 2));
        return h;
    }

    /// <summary>m2 acknowledged and never delivered: lost.</summary>
    private static TestHistory Lost()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Send("s1", "m2", "u1", 2);
        h.Sync("u1", "d1", ("m1", 1));
        return h;
    }

    [Fact]
    public void A_clean_history_holds_every_promise_and_has_no_loss()
    {
        var result = StandardChecks.Check(Clean().Events);

        result.Should().HoldEveryPromise().And.HaveNo(AnomalyNames.Lost).And.HaveNo(AnomalyNames.Duplicate);
    }

    [Fact]
    public void A_lost_message_fails_both_with_the_promise_the_count_and_the_example()
    {
        var result = StandardChecks.Check(Lost().Events);

        var hold = () => result.Should().HoldEveryPromise("the correct system loses nothing");
        var noLoss = () => result.Should().HaveNo(AnomalyNames.Lost);

        hold.Should().Throw<XunitException>().WithMessage("Expected every promise of chaos result to hold because the correct system loses nothing, but the verdict is invalid:*No loss: broken*lost ×1*m2*");
        noLoss.Should().Throw<XunitException>().WithMessage("Expected chaos result to have no lost, but found:*lost ×1*m2*");
        result.Should().HaveNo(AnomalyNames.Duplicate);
    }

    [Fact]
    public void Have_passes_on_the_anomaly_found_and_names_what_was_found_instead()
    {
        var lost = StandardChecks.Check(Lost().Events);
        var clean = StandardChecks.Check(Clean().Events);

        lost.Should().Have(AnomalyNames.Lost);
        var duplicate = () => lost.Should().Have(AnomalyNames.Duplicate, "the defect replays events");
        var nothing = () => clean.Should().Have(AnomalyNames.Lost);

        duplicate.Should().Throw<XunitException>()
            .WithMessage("Expected chaos result to have duplicate because the defect replays events, but found none; the anomalies found:*lost ×1*m2*");
        nothing.Should().Throw<XunitException>().WithMessage("*found none; the anomalies found: none");
    }

    [Fact]
    public void A_required_promise_nothing_exercised_is_not_held()
    {
        // no send at all: the delivery promises, required by default, were never exercised
        var h = new TestHistory().Device("u1", "d1");
        h.Sync("u1", "d1");
        var result = StandardChecks.Check(h.Events);

        var hold = () => result.Should().HoldEveryPromise();

        hold.Should().Throw<XunitException>().WithMessage("*required, not exercised*");
    }

    [Fact]
    public void Latency_p99_is_kept_or_named_with_the_slowest_deliveries()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.At(1).Send("s1", "m1", "u1", 1);
        h.At(50).Deliver("u1", "d1", "m1", 1);
        h.At(100).Send("s1", "m2", "u1", 2);
        h.At(900).Deliver("u1", "d1", "m2", 2);
        var latency = LatencyAnalysis.Analyze(h.Events);

        latency.Should().KeepP99(LatencyThreshold.All, TimeSpan.FromSeconds(1));
        var tooSlow = () => latency.Should().KeepP99(LatencyThreshold.All, TimeSpan.FromMilliseconds(500));
        var nothing = () => latency.Should().KeepP99(LatencyThreshold.Fault, TimeSpan.FromSeconds(1));

        tooSlow.Should().Throw<XunitException>().WithMessage("Expected the all phase's p99 delivery latency to be at most 500 ms, but it was 800 ms over 2 deliveries (slowest first: 800 ms (send #*, delivery #*), 49 ms*");
        nothing.Should().Throw<XunitException>().WithMessage("*no delivery was measured in it*");
    }
}
