using Chaos.Harness.Checkers;
using Chaos.Harness.History;

namespace Chaos.Harness.Tests.Checkers;

public sealed class SequenceCheckTests
{
    private static CheckResult Check(TestHistory history) => new SequenceCheck().Check(history.Events);

    /// <summary>u1/d1 (event 0); m1, m2, m3 sent to u1 and acknowledged with seqs 1, 2, 3 (events 1–6).</summary>
    private static TestHistory ThreeSends()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Send("s1", "m1", "u1", 1).Send("s1", "m2", "u1", 2).Send("s1", "m3", "u1", 3);
        return h;
    }

    [Fact]
    public void Check_InOrderDeliveries_AreValid()
    {
        var h = ThreeSends();
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d1", "m2", 2);
        h.Deliver("u1", "d1", "m3", 3);
        h.Sync("u1", "d1", ("m1", 1), ("m2", 2), ("m3", 3));

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Valid);
        result.ShouldHaveNoAnomalies();
        result.Counters["seq-claims"].Should().Be(3);
    }

    [Fact]
    public void Check_LowerSeqAfterHigher_IsNonmonotonicAndTheHigherOneASkip()
    {
        var h = ThreeSends();
        var one = h.Deliver("u1", "d1", "m1", 1);
        var three = h.Deliver("u1", "d1", "m3", 3);
        var two = h.Deliver("u1", "d1", "m2", 2);

        var result = Check(h);

        // by the rules a reordering is both: seq 3 arrived while seq 2 had not (skip), then seq 2 after 3 (nonmonotonic)
        result.ShouldHaveExactly(
            new ExpectedAnomaly(AnomalyNames.Nonmonotonic, 1, [three, two]),
            new ExpectedAnomaly(AnomalyNames.Skip, 1, [one, three]));
    }

    [Fact]
    public void Check_GapInLiveDeliveries_IsSkip()
    {
        var h = ThreeSends();
        var one = h.Deliver("u1", "d1", "m1", 1);
        var three = h.Deliver("u1", "d1", "m3", 3);

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Invalid);
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.Skip, 1, [one, three]));
        result.Anomalies[AnomalyNames.Skip].Examples[0].Explanation.Should().Be("u1/d1 received seq 3 right after seq 1: seq 2 was never delivered before it");
    }

    [Fact]
    public void Check_FirstDeliveryAboveOne_IsSkip()
    {
        var h = ThreeSends();
        var two = h.Deliver("u1", "d1", "m2", 2);

        var result = Check(h);

        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.Skip, 1, [two]));
        result.Anomalies[AnomalyNames.Skip].Examples[0].Explanation.Should().Be("u1/d1's first delivery is seq 2: seq 1 was never delivered before it");
    }

    [Fact]
    public void Check_DuplicateDelivery_IsNotAnOrderingAnomaly()
    {
        var h = ThreeSends();
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d1", "m2", 2);

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Valid, "the delivery checker reports duplicates");
        result.ShouldHaveNoAnomalies();
    }

    [Fact]
    public void Check_OneIdWithTwoSeqs_IsInconsistentSeq()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Invoke("s1", "m1", "u1");
        var ok = h.Ok("s1", "m1", "u1", 1);
        var deliver = h.Deliver("u1", "d1", "m1", 7);

        var result = Check(h);

        // the device's first delivery carries seq 7, so by the rules it is also a skip (seqs 1..6 never came)
        result.ShouldHaveExactly(
            new ExpectedAnomaly(AnomalyNames.InconsistentSeq, 1, [ok, deliver]),
            new ExpectedAnomaly(AnomalyNames.Skip, 1, [deliver]));
        result.Anomalies[AnomalyNames.InconsistentSeq].Examples[0].Explanation.Should().Be("m1 carried seq 1 and seq 7 for u1");
    }

    [Fact]
    public void Check_OneSeqWithTwoIds_IsInconsistentSeqForTheIdAndForTheSeq()
    {
        var h = new TestHistory().Device("u1", "d1").Device("u1", "d2");
        h.Invoke("s1", "m1", "u1");
        var okM1 = h.Ok("s1", "m1", "u1", 1);
        h.Invoke("s1", "m2", "u1");
        var okM2 = h.Ok("s1", "m2", "u1", 2);
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d2", "m1", 1);
        var sync = h.Sync("u1", "d1", ("m2", 1));

        var result = Check(h);

        // the sync's (m2, seq 1) conflicts twice, once per key: m2 already had seq 2, and seq 1 already carried m1
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.InconsistentSeq, 2, [okM2, sync], [okM1, sync]));
        result.Anomalies[AnomalyNames.InconsistentSeq].Examples.Select(e => e.Explanation)
            .Should().Equal("m2 carried seq 2 and seq 1 for u1", "u1's seq 1 carried m1 and m2");
    }

    [Fact]
    public void Check_SameSeqOnDifferentUsers_IsConsistent()
    {
        var h = new TestHistory().Device("u1", "d1").Device("u2", "d1");
        h.Invoke("s1", "m1", "u1", "u2");
        h.Add("s1", HistoryEventType.Ok, HistoryOps.Send, new SendValue("m1", ["u1", "u2"], Seq: new Dictionary<string, long> { ["u1"] = 1, ["u2"] = 5 }));
        h.Send("s1", "m2", "u1", 2);

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Valid);
        result.ShouldHaveNoAnomalies();
    }

    [Fact]
    public void Check_LaterSendGotLowerSeq_IsOrderInversion()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Invoke("s1", "a", "u1");
        var aOk = h.Ok("s1", "a", "u1", 2);
        var bInvoke = h.Invoke("s2", "b", "u1");
        h.Ok("s2", "b", "u1", 1);

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Invalid);
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.OrderInversion, 1, [aOk, bInvoke]));
        result.Anomalies[AnomalyNames.OrderInversion].Examples[0].Explanation.Should().Be("a to u1 completed (seq 2) before b was invoked, yet b got seq 1");
    }

    [Fact]
    public void Check_ConcurrentSendsInEitherOrder_AreNotInverted()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Invoke("s1", "a", "u1");
        h.Invoke("s2", "b", "u1");
        h.Ok("s1", "a", "u1", 2);
        h.Ok("s2", "b", "u1", 1);

        var result = Check(h);

        result.ShouldHaveNoAnomalies(); // b was invoked before a completed
    }

    [Fact]
    public void Check_OrderInversionSeenThroughDeliveries_IsFound()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Invoke("s1", "a", "u1");
        var aOk = h.Complete("s1", HistoryEventType.Ok, "a", "u1");
        var bInvoke = h.Invoke("s1", "b", "u1");
        h.Complete("s1", HistoryEventType.Ok, "b", "u1");
        h.Deliver("u1", "d1", "b", 1);
        h.Deliver("u1", "d1", "a", 2);

        var result = Check(h);

        // the acks carry no seqs: the deliveries' seqs (b 1, a 2) are the claims; the device saw 1 then 2, in order
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.OrderInversion, 1, [aOk, bInvoke]));
    }
}
