using Chaos.Harness.Checkers;
using Chaos.Harness.History;

namespace Chaos.Harness.Tests.Checkers;

public sealed class JobsCheckTests
{
    private static CheckResult Check(TestHistory history) => new JobsCheck().Check(history.Events);

    [Fact]
    public void Check_JobsAppliedOncePerTransaction_AreValid()
    {
        var h = new TestHistory();
        h.Balance("a1", 100);
        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        h.Submit("c1", HistoryEventType.Ok, "j1", "t1", "a1", 10);
        h.Submit("c1", HistoryEventType.Invoke, "j2", "t1", "a1", 10); // same transaction resubmitted: one effect
        h.Submit("c1", HistoryEventType.Ok, "j2", "t1", "a1", 10);
        h.JobState("j1", JobStates.Done);
        h.JobState("j2", JobStates.Done);
        h.Balance("a1", 110);

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Valid);
        result.Counters["jobs-done"].Should().Be(2);
    }

    [Fact]
    public void Check_BalanceAboveDistinctTransactions_IsDoubleEffect()
    {
        var h = new TestHistory();
        var opening = h.Balance("a1", 100);
        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        h.Submit("c1", HistoryEventType.Ok, "j1", "t1", "a1", 10);
        var done = h.JobState("j1", JobStates.Done);
        var final = h.Balance("a1", 120);

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Invalid);
        result.Count(AnomalyNames.DoubleEffect).Should().Be(1);
        var example = result.Anomalies[AnomalyNames.DoubleEffect].Examples[0];
        example.Events.Should().Equal(opening, final, done);
        example.Explanation.Should().Contain("120").And.Contain("110");
    }

    [Fact]
    public void Check_DeadLetteredJobWithEffect_IsDoubleEffect()
    {
        var h = new TestHistory();
        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        h.Submit("c1", HistoryEventType.Ok, "j1", "t1", "a1", 10);
        h.JobState("j1", JobStates.DeadLettered, "poison");
        h.Balance("a1", 10);

        Check(h).Count(AnomalyNames.DoubleEffect).Should().Be(1, "a dead-lettered job must have no effect");
    }

    [Fact]
    public void Check_AcknowledgedJobStillRetrying_IsLostJob()
    {
        var h = new TestHistory();
        var invoke = h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        var ok = h.Submit("c1", HistoryEventType.Ok, "j1", "t1", "a1", 10);
        var state = h.JobState("j1", JobStates.Retrying);

        var result = Check(h);

        result.Count(AnomalyNames.LostJob).Should().Be(1);
        result.Anomalies[AnomalyNames.LostJob].Examples[0].Events.Should().Equal(invoke, ok, state);
    }

    [Fact]
    public void Check_AcknowledgedJobWithNoState_IsLostJob()
    {
        var h = new TestHistory();
        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        h.Submit("c1", HistoryEventType.Ok, "j1", "t1", "a1", 10);

        Check(h).Count(AnomalyNames.LostJob).Should().Be(1);
    }

    [Theory]
    [InlineData(HistoryEventType.Info)]
    [InlineData(HistoryEventType.Fail)]
    public void Check_UnacknowledgedJobWithNoState_IsNotLost(HistoryEventType outcome)
    {
        var h = new TestHistory();
        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        h.Submit("c1", outcome, "j1", "t1", "a1", 10);

        Check(h).Verdict.Should().Be(Verdict.Valid);
    }

    [Fact]
    public void Check_DeadLetterWithoutReason_IsFlagged()
    {
        var h = new TestHistory();
        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        h.Submit("c1", HistoryEventType.Ok, "j1", "t1", "a1", 10);
        var dlq = h.JobState("j1", JobStates.DeadLettered);

        var result = Check(h);

        result.Count(AnomalyNames.DlqWithoutReason).Should().Be(1);
        result.Anomalies[AnomalyNames.DlqWithoutReason].Examples[0].Events.Should().Equal(dlq);
        result.Count(AnomalyNames.LostJob).Should().Be(0, "dead-lettered is terminal");
    }

    [Fact]
    public void Check_AppliedJobsWithoutFinalBalance_IsUnknown()
    {
        var h = new TestHistory();
        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        h.Submit("c1", HistoryEventType.Ok, "j1", "t1", "a1", 10);
        h.JobState("j1", JobStates.Done);

        Check(h).Verdict.Should().Be(Verdict.Unknown);
    }

    [Fact]
    public void Check_UnfinishedJobsDrain_IsUnknown()
    {
        var h = new TestHistory();
        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        h.Submit("c1", HistoryEventType.Ok, "j1", "t1", "a1", 10);
        h.Marker(HistoryOps.Drain, HistoryEventType.Invoke, "jobs");
        h.Marker(HistoryOps.Drain, HistoryEventType.Info, "jobs", "timed out after 30 s");

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Unknown);
        result.Count(AnomalyNames.LostJob).Should().Be(0);
    }
}
