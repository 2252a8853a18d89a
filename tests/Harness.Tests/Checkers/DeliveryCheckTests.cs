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
        result.ShouldHaveNoAnomalies();
        result.Counters["sends-ok"].Should().Be(1);
        result.Counters["deliveries"].Should().Be(2);
        result.Counters["devices-synced"].Should().Be(2);
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
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.Lost, 1, [invoke, ok, sync]));
        result.Anomalies[AnomalyNames.Lost].Examples[0].Explanation.Should().Be("m1 acknowledged, never delivered to u1/d1 and absent from its final sync");
    }

    [Fact]
    public void Check_LostOnOneDeviceOnly_FlagsThatDevice()
    {
        var h = new TestHistory().Device("u1", "d1").Device("u1", "d2");
        var invoke = h.Invoke("s1", "m1", "u1");
        var ok = h.Ok("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Sync("u1", "d1", ("m1", 1));
        var syncD2 = h.Sync("u1", "d2");

        var result = Check(h);

        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.Lost, 1, [invoke, ok, syncD2]));
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
        result.ShouldHaveNoAnomalies();
        result.Counters["sends-info"].Should().Be(1);
    }

    [Fact]
    public void Check_InvokeWithoutCompletion_IsRecoveredCitingOnlyEventsThatExist()
    {
        // Regression: the example cited event -1 (the outcome the send never had).
        var h = new TestHistory().Device("u1", "d1");
        var invoke = h.Invoke("s1", "m1", "u1");
        var deliver = h.Deliver("u1", "d1", "m1", 1);
        h.Sync("u1", "d1", ("m1", 1));

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Valid);
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.Recovered, 1, [invoke, deliver]));
        result.Anomalies[AnomalyNames.Recovered].Examples[0].Explanation.Should().Be("m1 ended without an outcome and was delivered");
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
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.Recovered, 1, [invoke, info, deliver]));
        var recovered = result.Anomalies[AnomalyNames.Recovered];
        recovered.Informational.Should().BeTrue();
        recovered.InformationalReason.Should().Be(AnomalyNames.InformationalByDefault[AnomalyNames.Recovered]);
    }

    [Fact]
    public void Check_AcknowledgedInSyncButNeverDeliveredLive_IsUnseen()
    {
        var h = new TestHistory().Device("u1", "d1");
        var invoke = h.Invoke("s1", "m1", "u1");
        var ok = h.Ok("s1", "m1", "u1", 1);
        var sync = h.Sync("u1", "d1", ("m1", 1));

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Invalid);
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.Unseen, 1, [invoke, ok, sync]));
    }

    [Fact]
    public void Check_DeliveredLiveButAbsentFromTheFinalSync_IsForgotten()
    {
        var h = new TestHistory().Device("u1", "d1").Device("u1", "d2");
        var invoke = h.Invoke("s1", "m1", "u1");
        h.Ok("s1", "m1", "u1", 1);
        var deliver = h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d2", "m1", 1);
        var sync = h.Sync("u1", "d1");
        h.Sync("u1", "d2", ("m1", 1));

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Invalid);
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.Forgotten, 1, [invoke, deliver, sync]));
        result.Anomalies[AnomalyNames.Forgotten].Examples[0].Explanation.Should().Be("m1 delivered live to u1/d1 but absent from its final sync");
    }

    [Fact]
    public void Check_AnUnexpectedDeliveryAbsentFromTheSync_IsOnlyUnexpected()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Deliver("u1", "d1", "ghost", 1);
        h.Sync("u1", "d1");

        var result = Check(h);

        result.Anomalies.Keys.Should().Equal(AnomalyNames.Unexpected);
    }

    [Fact]
    public void Check_SameIdTwiceOnOneDevice_IsDuplicate()
    {
        var h = new TestHistory().Device("u1", "d1");
        var invoke = h.Invoke("s1", "m1", "u1");
        h.Ok("s1", "m1", "u1", 1);
        var first = h.Deliver("u1", "d1", "m1", 1);
        var second = h.Deliver("u1", "d1", "m1", 1);
        h.Sync("u1", "d1", ("m1", 1));

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Invalid);
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.Duplicate, 1, [invoke, first, second]));
        result.Anomalies[AnomalyNames.Duplicate].Examples[0].Explanation.Should().Be("m1 delivered 2 times to u1/d1");
    }

    [Fact]
    public void Check_SameIdOnTwoDevicesOfOneUser_IsNotDuplicate()
    {
        var h = new TestHistory().Device("u1", "d1").Device("u1", "d2").Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d2", "m1", 1);
        h.Sync("u1", "d1", ("m1", 1));
        h.Sync("u1", "d2", ("m1", 1));

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Valid);
        result.ShouldHaveNoAnomalies();
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
        result.ShouldHaveNoAnomalies();
        result.Counters["redeliveries-dropped"].Should().Be(2);
    }

    [Fact]
    public void Check_DeliveredButNeverSent_IsUnexpectedOncePerIdAndDevice()
    {
        var h = new TestHistory().Device("u1", "d1");
        var deliver = h.Deliver("u1", "d1", "ghost", 1);
        h.Sync("u1", "d1", ("ghost", 1));

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Invalid);
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.Unexpected, 1, [deliver]));
    }

    [Fact]
    public void Check_DeliveredToUserItWasNotSentTo_IsUnexpected()
    {
        var h = new TestHistory().Device("u1", "d1").Device("u2", "d1");
        var invoke = h.Invoke("s1", "m1", "u1");
        h.Ok("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        var wrong = h.Deliver("u2", "d1", "m1", 1);
        h.Sync("u1", "d1", ("m1", 1));
        h.Sync("u2", "d1", ("m1", 1));

        var result = Check(h);

        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.Unexpected, 1, [invoke, wrong]));
        result.Anomalies[AnomalyNames.Unexpected].Examples[0].Explanation.Should().Be("m1 delivered at u2/d1 but sent only to u1");
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
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.AbortedRead, 1, [invoke, fail, deliver]));
    }

    [Fact]
    public void Check_FailedSendNeverDelivered_IsValid()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Invoke("s1", "m1", "u1");
        h.Complete("s1", HistoryEventType.Fail, "m1");
        h.Sync("u1", "d1");

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Valid);
        result.ShouldHaveNoAnomalies();
    }

    [Fact]
    public void Check_RetriedSendInfoThenOk_IsOneAcknowledgedSend()
    {
        var h = new TestHistory().Device("u1", "d1");
        var first = h.Invoke("s1.0", "m1", "u1");
        h.Complete("s1.0", HistoryEventType.Info, "m1");
        h.Invoke("s1.1", "m1", "u1");
        var ok = h.Ok("s1.1", "m1", "u1", 1);
        var sync = h.Sync("u1", "d1");

        var result = Check(h);

        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.Lost, 1, [first, ok, sync]));
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
        result.ShouldHaveNoAnomalies();
        result.UnknownReasons.Should().Equal("1 device(s) have no finished final sync, e.g. u1/d2: loss is not decided for them");
    }

    [Fact]
    public void Check_SyncThatTimedOut_IsUnknown()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        var timedOut = h.SyncEnded(HistoryEventType.Info, "u1", "d1");

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Unknown);
        result.ShouldHaveNoAnomalies();
        result.UnknownReasons.Should().Equal($"1 device(s) have no finished final sync, e.g. u1/d1 (sync ended {timedOut}): loss is not decided for them");
    }

    [Fact]
    public void Check_DrainThatNeverFinished_IsUnknown()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        var drain = h.Marker(HistoryOps.Drain, HistoryEventType.Invoke);
        h.Sync("u1", "d1", ("m1", 1));

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Unknown);
        result.ShouldHaveNoAnomalies();
        result.UnknownReasons.Should().Equal($"the final drain started at event {drain} and never finished");
    }

    [Fact]
    public void Check_BrokerTruncation_IsUnknownEvenWithApparentLoss()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1);
        var truncated = h.Marker(HistoryOps.Truncated, HistoryEventType.Info, "chat", "partition 0 truncated to offset 12");
        h.Sync("u1", "d1");

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Unknown);
        result.ShouldHaveNoAnomalies();
        result.UnknownReasons.Should().Equal($"the broker truncated a log of chat (partition 0 truncated to offset 12) (event {truncated}): loss cannot be decided");
    }

    [Fact]
    public void Check_DuplicateWithUnfinishedDrain_IsStillInvalid()
    {
        var h = new TestHistory().Device("u1", "d1");
        var invoke = h.Invoke("s1", "m1", "u1");
        h.Ok("s1", "m1", "u1", 1);
        var first = h.Deliver("u1", "d1", "m1", 1);
        var second = h.Deliver("u1", "d1", "m1", 1);

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Invalid, "a definite anomaly outranks an undecided one");
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.Duplicate, 1, [invoke, first, second]));
        result.UnknownReasons.Should().ContainSingle().Which.Should().Contain("u1/d1");
    }

    [Fact]
    public void Check_UnknownOpsAndFields_AreIgnored()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1);
        h.Add("someone", HistoryEventType.Ok, "presence", new MarkerValue("u1"));
        h.Deliver("u1", "d1", "m1", 1);
        h.Sync("u1", "d1", ("m1", 1));

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Valid);
        result.ShouldHaveNoAnomalies();
    }

    [Fact]
    public void Check_OkWithSeqButNoRecipientList_TakesRecipientsFromTheSeqs()
    {
        var h = new TestHistory().Device("u1", "d1");
        var ok = h.Add("s1", HistoryEventType.Ok, HistoryOps.Send, new SendValue("m1", [], Seq: new Dictionary<string, long> { ["u1"] = 1 }));
        var sync = h.Sync("u1", "d1");

        var result = Check(h);

        // no invoke: the ok is the send's first event, and is cited as both
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.Lost, 1, [ok, ok, sync]));
    }

    [Fact]
    public void Check_OneAcknowledgedSendLostOnTwoDevices_IsTwoLostWithEachDevicesSync()
    {
        var h = new TestHistory().Device("u1", "d1").Device("u1", "d2");
        var invoke = h.Invoke("s1", "m1", "u1");
        var ok = h.Ok("s1", "m1", "u1", 1);
        var syncD1 = h.Sync("u1", "d1");
        var syncD2 = h.Sync("u1", "d2");

        var result = Check(h);

        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.Lost, 2, [invoke, ok, syncD1], [invoke, ok, syncD2]));
    }
}
