using Chaos.Harness.Checkers;
using Chaos.Harness.History;

namespace Chaos.Harness.Tests.Checkers;

public sealed class SequenceCheckTests
{
    private static CheckResult Check(TestHistory history) => new SequenceCheck().Check(history.Events);

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
        result.Anomalies.Should().BeEmpty();
    }

    [Fact]
    public void Check_LowerSeqAfterHigher_IsNonmonotonic()
    {
        var h = ThreeSends();
        h.Deliver("u1", "d1", "m1", 1);
        var three = h.Deliver("u1", "d1", "m3", 3);
        var two = h.Deliver("u1", "d1", "m2", 2);

        var result = Check(h);

        result.Count(AnomalyNames.Nonmonotonic).Should().Be(1);
        result.Anomalies[AnomalyNames.Nonmonotonic].Examples[0].Events.Should().Equal(three, two);
        result.Count(AnomalyNames.Skip).Should().Be(1, "seq 3 arrived while seq 2 had not: a reorder is also a skip by the rule");
    }

    [Fact]
    public void Check_GapInLiveDeliveries_IsSkip()
    {
        var h = ThreeSends();
        var one = h.Deliver("u1", "d1", "m1", 1);
        var three = h.Deliver("u1", "d1", "m3", 3);

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Invalid);
        result.Count(AnomalyNames.Skip).Should().Be(1);
        result.Anomalies[AnomalyNames.Skip].Examples[0].Events.Should().Equal(one, three);
        result.Anomalies[AnomalyNames.Skip].Examples[0].Explanation.Should().Contain("seq 2");
        result.Count(AnomalyNames.Nonmonotonic).Should().Be(0);
    }

    [Fact]
    public void Check_FirstDeliveryAboveOne_IsSkip()
    {
        var h = ThreeSends();
        h.Deliver("u1", "d1", "m2", 2);

        Check(h).Count(AnomalyNames.Skip).Should().Be(1);
    }

    [Fact]
    public void Check_DuplicateDelivery_IsNotAnOrderingAnomaly()
    {
        var h = ThreeSends();
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d1", "m2", 2);

        Check(h).Verdict.Should().Be(Verdict.Valid, "the delivery checker reports duplicates");
    }

    [Fact]
    public void Check_OneIdWithTwoSeqs_IsInconsistentSeq()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Invoke("s1", "m1", "u1");
        var ok = h.Ok("s1", "m1", "u1", 1);
        var deliver = h.Deliver("u1", "d1", "m1", 7);

        var result = Check(h);

        result.Count(AnomalyNames.InconsistentSeq).Should().Be(1);
        result.Anomalies[AnomalyNames.InconsistentSeq].Examples[0].Events.Should().Equal(ok, deliver);
    }

    [Fact]
    public void Check_OneSeqWithTwoIds_IsInconsistentSeq()
    {
        var h = new TestHistory().Device("u1", "d1").Device("u1", "d2").Send("s1", "m1", "u1", 1).Send("s1", "m2", "u1", 2);
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d2", "m1", 1);
        h.Sync("u1", "d1", ("m2", 1));

        var result = Check(h);

        result.Count(AnomalyNames.InconsistentSeq).Should().BeGreaterThanOrEqualTo(1);
        result.Anomalies[AnomalyNames.InconsistentSeq].Examples.Should().Contain(e => e.Explanation.Contains("seq 1 carried m1 and m2"));
    }

    [Fact]
    public void Check_SameSeqOnDifferentUsers_IsConsistent()
    {
        var h = new TestHistory().Device("u1", "d1").Device("u2", "d1");
        h.Invoke("s1", "m1", "u1", "u2");
        h.Add("s1", HistoryEventType.Ok, HistoryOps.Send, new SendValue("m1", ["u1", "u2"], Seq: new Dictionary<string, long> { ["u1"] = 1, ["u2"] = 5 }));
        h.Send("s1", "m2", "u1", 2);

        Check(h).Verdict.Should().Be(Verdict.Valid);
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
        result.Count(AnomalyNames.OrderInversion).Should().Be(1);
        result.Anomalies[AnomalyNames.OrderInversion].Examples[0].Events.Should().Equal(aOk, bInvoke);
    }

    [Fact]
    public void Check_ConcurrentSendsInEitherOrder_AreNotInverted()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Invoke("s1", "a", "u1");
        h.Invoke("s2", "b", "u1");
        h.Ok("s1", "a", "u1", 2);
        h.Ok("s2", "b", "u1", 1);

        Check(h).Count(AnomalyNames.OrderInversion).Should().Be(0, "b was invoked before a completed");
    }

    [Fact]
    public void Check_OrderInversionSeenThroughDeliveries_IsFound()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Invoke("s1", "a", "u1");
        h.Complete("s1", HistoryEventType.Ok, "a", "u1");
        h.Invoke("s1", "b", "u1");
        h.Complete("s1", HistoryEventType.Ok, "b", "u1");
        h.Deliver("u1", "d1", "b", 1);
        h.Deliver("u1", "d1", "a", 2);

        Check(h).Count(AnomalyNames.OrderInversion).Should().Be(1);
    }
}
