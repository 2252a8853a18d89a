using Chaos.Harness.Checkers;
using Chaos.Harness.History;

namespace Chaos.Harness.Tests.Checkers;

public sealed class DeliveryCheckTests
{
    private static CheckResult Check(TestHistory history) => new DeliveryCheck().Check(history.Events);

    [Fact]
    public void Check_AcknowledgedSendDeliveredToEveryDevice_IsValid()
    {
        var h = new TestHistory().Device("u1", "d1").Device("u1", "d2").Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d2", "m1", 1);
        h.Sync("u1", "d1", ("m1", 1));
        h.Sync("u1", "d2", ("m1", 1));

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Valid);
        result.Anomalies.Should().BeEmpty();
        result.Counters["sends-ok"].Should().Be(1);
    }

    [Fact]
    public void Check_AcknowledgedSendNeverDeliveredAndNotSynced_IsLostWithItsEvents()
    {
        var h = new TestHistory().Device("u1", "d1");
        var invoke = h.Invoke("s1", "m1", "u1");
        var ok = h.Ok("s1", "m1", "u1", 1);
        var sync = h.Sync("u1", "d1");

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Invalid);
        result.Count(AnomalyNames.Lost).Should().Be(1);
        result.Anomalies[AnomalyNames.Lost].Examples[0].Events.Should().Equal(invoke, ok, sync);
        result.Anomalies[AnomalyNames.Lost].Examples[0].Explanation.Should().Contain("m1").And.Contain("u1/d1");
    }

    [Fact]
    public void Check_LostOnOneDeviceOnly_FlagsThatDevice()
    {
        var h = new TestHistory().Device("u1", "d1").Device("u1", "d2").Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Sync("u1", "d1", ("m1", 1));
        h.Sync("u1", "d2");

        var result = Check(h);

        result.Count(AnomalyNames.Lost).Should().Be(1);
        result.Anomalies[AnomalyNames.Lost].Examples[0].Explanation.Should().Contain("u1/d2");
    }

    [Fact]
    public void Check_InfoSendThatNeverArrives_IsNotLost()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Invoke("s1", "m1", "u1");
        h.Complete("s1", HistoryEventType.Info, "m1");
        h.Sync("u1", "d1");

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Valid);
        result.Anomalies.Should().BeEmpty();
    }

    [Fact]
    public void Check_InvokeWithoutCompletion_IsTreatedAsInfo()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Invoke("s1", "m1", "u1");
        h.Deliver("u1", "d1", "m1", 1);
        h.Sync("u1", "d1", ("m1", 1));

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Valid);
        result.Count(AnomalyNames.Recovered).Should().Be(1);
    }

    [Fact]
    public void Check_InfoSendThatArrives_IsRecoveredAndInformational()
    {
        var h = new TestHistory().Device("u1", "d1");
        var invoke = h.Invoke("s1", "m1", "u1");
        var info = h.Complete("s1", HistoryEventType.Info, "m1");
        var deliver = h.Deliver("u1", "d1", "m1", 1);
        h.Sync("u1", "d1", ("m1", 1));

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Valid);
        var recovered = result.Anomalies[AnomalyNames.Recovered];
        recovered.Count.Should().Be(1);
        recovered.Informational.Should().BeTrue();
        recovered.InformationalReason.Should().NotBeNullOrWhiteSpace();
        recovered.Examples[0].Events.Should().Equal(invoke, info, deliver);
    }

    [Fact]
    public void Check_AcknowledgedInSyncButNeverDeliveredLive_IsUnseen()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1);
        h.Sync("u1", "d1", ("m1", 1));

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Invalid);
        result.Count(AnomalyNames.Unseen).Should().Be(1);
        result.Count(AnomalyNames.Lost).Should().Be(0);
    }

    [Fact]
    public void Check_SameIdTwiceOnOneDevice_IsDuplicate()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1);
        var first = h.Deliver("u1", "d1", "m1", 1);
        var second = h.Deliver("u1", "d1", "m1", 1);
        h.Sync("u1", "d1", ("m1", 1));

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Invalid);
        result.Count(AnomalyNames.Duplicate).Should().Be(1);
        result.Anomalies[AnomalyNames.Duplicate].Examples[0].Events.Should().Contain([first, second]);
    }

    [Fact]
    public void Check_SameIdOnTwoDevicesOfOneUser_IsNotDuplicate()
    {
        var h = new TestHistory().Device("u1", "d1").Device("u1", "d2").Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d2", "m1", 1);
        h.Sync("u1", "d1", ("m1", 1));
        h.Sync("u1", "d2", ("m1", 1));

        Check(h).Count(AnomalyNames.Duplicate).Should().Be(0);
    }

    [Fact]
    public void Check_RedeliveryDroppedByClient_IsCountedNotFlagged()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Drop("u1", "d1", "m1", 1);
        h.Drop("u1", "d1", "m1", 1);
        h.Sync("u1", "d1", ("m1", 1));

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Valid);
        result.Counters["redeliveries-dropped"].Should().Be(2);
    }

    [Fact]
    public void Check_DeliveredButNeverSent_IsUnexpected()
    {
        var h = new TestHistory().Device("u1", "d1");
        var deliver = h.Deliver("u1", "d1", "ghost", 1);
        h.Sync("u1", "d1", ("ghost", 1));

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Invalid);
        result.Count(AnomalyNames.Unexpected).Should().Be(1, "one anomaly per id and device, however it was seen");
        result.Anomalies[AnomalyNames.Unexpected].Examples[0].Events.Should().Equal(deliver);
    }

    [Fact]
    public void Check_DeliveredToUserItWasNotSentTo_IsUnexpected()
    {
        var h = new TestHistory().Device("u1", "d1").Device("u2", "d1").Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u2", "d1", "m1", 1);
        h.Sync("u1", "d1", ("m1", 1));
        h.Sync("u2", "d1", ("m1", 1));

        var result = Check(h);

        result.Count(AnomalyNames.Unexpected).Should().Be(1);
        result.Anomalies[AnomalyNames.Unexpected].Examples[0].Explanation.Should().Contain("u2/d1");
    }

    [Fact]
    public void Check_DeliveredAlthoughSendFailed_IsAbortedRead()
    {
        var h = new TestHistory().Device("u1", "d1");
        var invoke = h.Invoke("s1", "m1", "u1");
        var fail = h.Complete("s1", HistoryEventType.Fail, "m1");
        var deliver = h.Deliver("u1", "d1", "m1", 1);
        h.Sync("u1", "d1");

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Invalid);
        result.Count(AnomalyNames.AbortedRead).Should().Be(1);
        result.Anomalies[AnomalyNames.AbortedRead].Examples[0].Events.Should().Equal(invoke, fail, deliver);
    }

    [Fact]
    public void Check_FailedSendNeverDelivered_IsValid()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Invoke("s1", "m1", "u1");
        h.Complete("s1", HistoryEventType.Fail, "m1");
        h.Sync("u1", "d1");

        Check(h).Verdict.Should().Be(Verdict.Valid);
    }

    [Fact]
    public void Check_RetriedSendInfoThenOk_IsOneAcknowledgedSend()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Invoke("s1.0", "m1", "u1");
        h.Complete("s1.0", HistoryEventType.Info, "m1");
        h.Invoke("s1.1", "m1", "u1");
        h.Ok("s1.1", "m1", "u1", 1);
        h.Sync("u1", "d1");

        var result = Check(h);

        result.Count(AnomalyNames.Lost).Should().Be(1, "the retry was acknowledged, so the message must arrive");
        result.Counters["sends"].Should().Be(1);
    }

    [Fact]
    public void Check_DeviceWithoutFinalSync_IsUnknownAndLossUndecided()
    {
        var h = new TestHistory().Device("u1", "d1").Device("u1", "d2").Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Sync("u1", "d1", ("m1", 1));

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Unknown);
        result.Count(AnomalyNames.Lost).Should().Be(0);
        result.UnknownReasons.Should().ContainSingle().Which.Should().Contain("u1/d2");
    }

    [Fact]
    public void Check_SyncThatTimedOut_IsUnknown()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.SyncEnded(HistoryEventType.Info, "u1", "d1");

        Check(h).Verdict.Should().Be(Verdict.Unknown);
    }

    [Fact]
    public void Check_DrainThatNeverFinished_IsUnknown()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Marker(HistoryOps.Drain, HistoryEventType.Invoke);
        h.Sync("u1", "d1", ("m1", 1));

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Unknown);
        result.UnknownReasons.Should().ContainSingle().Which.Should().Contain("never finished");
    }

    [Fact]
    public void Check_BrokerTruncation_IsUnknownEvenWithApparentLoss()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1);
        h.Marker(HistoryOps.Truncated, HistoryEventType.Info, "chat", "partition 0 truncated to offset 12");
        h.Sync("u1", "d1");

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Unknown);
        result.Count(AnomalyNames.Lost).Should().Be(0);
        result.UnknownReasons.Should().ContainSingle().Which.Should().Contain("truncated");
    }

    [Fact]
    public void Check_DuplicateWithUnfinishedDrain_IsStillInvalid()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d1", "m1", 1);

        Check(h).Verdict.Should().Be(Verdict.Invalid, "a definite anomaly outranks an undecided one");
    }

    [Fact]
    public void Check_UnknownOpsAndFields_AreIgnored()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1);
        h.Add("someone", HistoryEventType.Ok, "presence", new MarkerValue("u1"));
        h.Deliver("u1", "d1", "m1", 1);
        h.Sync("u1", "d1", ("m1", 1));

        Check(h).Verdict.Should().Be(Verdict.Valid);
    }

    [Fact]
    public void Check_OkWithSeqButNoRecipientList_TakesRecipientsFromTheSeqs()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Add("s1", HistoryEventType.Ok, HistoryOps.Send, new SendValue("m1", [], Seq: new Dictionary<string, long> { ["u1"] = 1 }));
        h.Sync("u1", "d1");

        Check(h).Count(AnomalyNames.Lost).Should().Be(1);
    }
}
