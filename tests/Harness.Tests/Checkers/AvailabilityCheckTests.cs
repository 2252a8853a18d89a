using Chaos.Harness.Checkers;
using Chaos.Harness.History;

namespace Chaos.Harness.Tests.Checkers;

/// <summary>Availability outside faults (docs/checkers.md): while no fault is active, a kind of request may be turned
/// away (fail or info) at most 1 % of its attempts, or fewer than 3 times.</summary>
public sealed class AvailabilityCheckTests
{
    /// <summary>One send attempt of <paramref name="id"/> at <paramref name="ms"/> ending <paramref name="outcome"/>
    /// 5 ms later: a chat send when <paramref name="conversation"/> is given. Returns the completion's index.</summary>
    private static long Send(TestHistory h, string id, long ms, HistoryEventType outcome, string? conversation = "c1")
    {
        h.Add("s1", HistoryEventType.Invoke, HistoryOps.Send, new SendValue(id, ["u1"], conversation), ms * 1_000_000);
        return h.Add("s1", outcome, HistoryOps.Send, new SendValue(id, ["u1"], conversation), (ms + 5) * 1_000_000);
    }

    [Fact]
    public void Check_EveryChatSendRefusedInSteadyState_IsUnavailable_WhileNotificationsAreFine()
    {
        var h = new TestHistory();
        var refusals = new List<long>();
        for (var i = 0; i < 50; i++)
        {
            var refusal = Send(h, $"m{i}", i * 10, HistoryEventType.Fail);
            if (i < 3)
            {
                refusals.AddRange([refusal - 1, refusal]);
            }

            Send(h, $"n{i}", (i * 10) + 6, HistoryEventType.Ok, conversation: null);
        }

        var result = new AvailabilityCheck().Check(h.Events);

        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.Unavailable, 1, [.. refusals]));
        result.Anomalies[AnomalyNames.Unavailable].Examples[0].Explanation.Should().StartWith(
            "steady phase, no fault active: 50 of 50 chat send attempts turned away (50 refused, 0 unanswered), over the budget of 1%");
        result.Counters["steady-chat-send-refused"].Should().Be(50);
        result.Counters["steady-notification-send-attempts"].Should().Be(50);
        result.Counters["steady-notification-send-refused"].Should().Be(0);
    }

    [Fact]
    public void Check_RefusalsDuringAFault_AreNotCounted()
    {
        var h = new TestHistory();
        for (var i = 0; i < 50; i++)
        {
            Send(h, $"a{i}", i * 10, HistoryEventType.Ok);
        }

        h.Fault("broker-down", HistoryOps.Fault, 600);
        for (var i = 0; i < 50; i++)
        {
            Send(h, $"b{i}", 601 + (i * 10), HistoryEventType.Fail);
        }

        // an attempt begun in the fault phase and answered after the heal belongs to the fault too
        h.Add("s1", HistoryEventType.Invoke, HistoryOps.Send, new SendValue("c0", ["u1"], "c1"), 1_150 * 1_000_000L);
        h.Fault("broker-down", HistoryOps.Heal, 1_200);
        h.Add("s1", HistoryEventType.Info, HistoryOps.Send, new SendValue("c0", ["u1"], "c1"), 1_250 * 1_000_000L);

        var result = new AvailabilityCheck().Check(h.Events);

        result.ShouldHaveNoAnomalies();
        result.Counters["steady-chat-send-attempts"].Should().Be(50);
        result.Counters["steady-chat-send-refused"].Should().Be(0);
    }

    [Fact]
    public void Check_TurnedAwayWithinTheBudget_IsValid_AndOverItIsNot()
    {
        // 2 of 100 unanswered: under the 3 that can make an outage; 3 of 100 is over both bounds of a 2 % budget but not of a 5 % one
        static IReadOnlyList<HistoryEvent> History(int turnedAway)
        {
            var h = new TestHistory();
            for (var i = 0; i < 100; i++)
            {
                Send(h, $"m{i}", i * 10, i < turnedAway ? HistoryEventType.Info : HistoryEventType.Ok);
            }

            return h.Events;
        }

        new AvailabilityCheck().Check(History(2)).ShouldHaveNoAnomalies();
        new AvailabilityCheck(new AvailabilityBudget { MaxRefusedFraction = 0.02 }).Check(History(3)).Anomalies.Should().ContainKey(AnomalyNames.Unavailable);
        new AvailabilityCheck(new AvailabilityBudget { MaxRefusedFraction = 0.05 }).Check(History(3)).ShouldHaveNoAnomalies();
    }

    [Fact]
    public void Check_RefusedJobSubmits_AreTheirOwnKind()
    {
        var h = new TestHistory();
        for (var i = 0; i < 10; i++)
        {
            h.Submit("j1", HistoryEventType.Invoke, $"job{i}", $"t{i}", "a1", 1m, i * 10);
            h.Submit("j1", HistoryEventType.Fail, $"job{i}", $"t{i}", "a1", 1m, (i * 10) + 5);
        }

        var result = new AvailabilityCheck().Check(h.Events);

        result.Anomalies[AnomalyNames.Unavailable].Examples[0].Explanation.Should().Contain("10 of 10 job submit attempts turned away");
        result.Counters["steady-job-submit-attempts"].Should().Be(10);
    }

    [Fact]
    public void Check_UnansweredOnlyWhileTheHarnessWasOverloaded_IsUndecided_ButRefusalsStillBreak()
    {
        static IReadOnlyList<HistoryEvent> History(HistoryEventType outcome)
        {
            var h = new TestHistory();
            h.Marker(HistoryOps.Overloaded, HistoryEventType.Info, detail: "sends started 2 s late");
            for (var i = 0; i < 20; i++)
            {
                Send(h, $"m{i}", 10 + (i * 10), outcome);
            }

            return h.Events;
        }

        var unanswered = new AvailabilityCheck().Check(History(HistoryEventType.Info));
        unanswered.Anomalies.Should().BeEmpty();
        unanswered.Verdict.Should().Be(Verdict.Unknown);
        unanswered.UnknownReasons.Should().ContainSingle().Which.Should().Contain("the harness was overloaded");

        new AvailabilityCheck().Check(History(HistoryEventType.Fail)).Anomalies.Should().ContainKey(AnomalyNames.Unavailable);
    }

    [Fact]
    public void Check_AnInvokeNeverCompleted_IsNotCounted()
    {
        var h = new TestHistory();
        for (var i = 0; i < 10; i++)
        {
            h.Add("s1", HistoryEventType.Invoke, HistoryOps.Send, new SendValue($"m{i}", ["u1"], "c1"), i * 10 * 1_000_000L);
        }

        var result = new AvailabilityCheck().Check(h.Events);

        result.ShouldHaveNoAnomalies();
        result.Counters.Should().NotContainKey("steady-chat-send-attempts");
    }

    [Fact]
    public void Budget_OutOfRange_IsRefusedByName()
    {
        FluentActions.Invoking(() => new AvailabilityCheck(new AvailabilityBudget { MaxRefusedFraction = 1.5 }))
            .Should().Throw<ArgumentException>().WithMessage("*MaxRefusedFraction*");
        FluentActions.Invoking(() => new AvailabilityCheck(new AvailabilityBudget { MinRefused = 0 }))
            .Should().Throw<ArgumentException>().WithMessage("*MinRefused*");
    }
}
