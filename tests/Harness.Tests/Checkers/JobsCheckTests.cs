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
        result.ShouldHaveNoAnomalies();
        result.Counters["jobs-done"].Should().Be(2);
        result.Counters["jobs-acknowledged"].Should().Be(2);
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
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.DoubleEffect, 1, [opening, final, done]));
        result.Anomalies[AnomalyNames.DoubleEffect].Examples[0].Explanation
            .Should().Be("account a1 balance 120 is more than 100 + 10 from 1 distinct applied transaction(s) = 110");
    }

    [Fact]
    public void Check_AppliedTransactionWhoseCreditIsAbsent_IsDoubleEffect()
    {
        // the missing effect: the job says done, the balance never got its credit (ARCHITECTURE §7: balance ≠ the sum
        // of the distinct applied transactions is double-effect either way)
        var h = new TestHistory();
        var opening = h.Balance("a1", 100);
        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        h.Submit("c1", HistoryEventType.Ok, "j1", "t1", "a1", 10);
        var done = h.JobState("j1", JobStates.Done);
        var final = h.Balance("a1", 100);

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Invalid);
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.DoubleEffect, 1, [opening, final, done]));
        result.Anomalies[AnomalyNames.DoubleEffect].Examples[0].Explanation
            .Should().Be("account a1 balance 100 is less than 100 + 10 from 1 distinct applied transaction(s) = 110");
    }

    [Fact]
    public void Check_OneOfTwoAppliedCreditsAbsent_IsDoubleEffectCitingBothDoneJobs()
    {
        var h = new TestHistory();
        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        h.Submit("c1", HistoryEventType.Ok, "j1", "t1", "a1", 10);
        h.Submit("c1", HistoryEventType.Invoke, "j2", "t2", "a1", 5);
        h.Submit("c1", HistoryEventType.Ok, "j2", "t2", "a1", 5);
        var done1 = h.JobState("j1", JobStates.Done);
        var done2 = h.JobState("j2", JobStates.Done);
        var final = h.Balance("a1", 10);

        var result = Check(h);

        // no opening read: the opening balance is 0 and there is no event to cite for it
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.DoubleEffect, 1, [final, done1, done2]));
        result.Anomalies[AnomalyNames.DoubleEffect].Examples[0].Explanation
            .Should().Be("account a1 balance 10 is less than 0 + 15 from 2 distinct applied transaction(s) = 15");
    }

    [Fact]
    public void Check_DeadLetteredJobWithEffect_IsDoubleEffect()
    {
        var h = new TestHistory();
        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        h.Submit("c1", HistoryEventType.Ok, "j1", "t1", "a1", 10);
        h.JobState("j1", JobStates.DeadLettered, "poison");
        var final = h.Balance("a1", 10);

        var result = Check(h);

        // a dead-lettered job must have no effect: nothing was applied, so only the final read is evidence
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.DoubleEffect, 1, [final]));
        result.Anomalies[AnomalyNames.DoubleEffect].Examples[0].Explanation
            .Should().Be("account a1 balance 10 is more than 0 + 0 from 0 distinct applied transaction(s) = 0");
    }

    [Fact]
    public void Check_AcknowledgedJobStillRetrying_IsLostJob()
    {
        var h = new TestHistory();
        var invoke = h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        var ok = h.Submit("c1", HistoryEventType.Ok, "j1", "t1", "a1", 10);
        var state = h.JobState("j1", JobStates.Retrying);

        var result = Check(h);

        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.LostJob, 1, [invoke, ok, state]));
        result.Anomalies[AnomalyNames.LostJob].Examples[0].Explanation.Should().Be("job j1 acknowledged, left in state 'retrying'");
    }

    [Fact]
    public void Check_AcknowledgedJobWithNoState_IsLostJob()
    {
        var h = new TestHistory();
        var invoke = h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        var ok = h.Submit("c1", HistoryEventType.Ok, "j1", "t1", "a1", 10);

        var result = Check(h);

        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.LostJob, 1, [invoke, ok]));
        result.Anomalies[AnomalyNames.LostJob].Examples[0].Explanation.Should().Be("job j1 acknowledged, never reached a state");
    }

    [Theory]
    [InlineData(HistoryEventType.Info)]
    [InlineData(HistoryEventType.Fail)]
    public void Check_UnacknowledgedJobWithNoState_IsNotLost(HistoryEventType outcome)
    {
        var h = new TestHistory();
        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        h.Submit("c1", outcome, "j1", "t1", "a1", 10);

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Valid);
        result.ShouldHaveNoAnomalies();
    }

    [Fact]
    public void Check_DeadLetterWithoutReason_IsFlagged()
    {
        var h = new TestHistory();
        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        h.Submit("c1", HistoryEventType.Ok, "j1", "t1", "a1", 10);
        var dlq = h.JobState("j1", JobStates.DeadLettered);

        var result = Check(h);

        // dead-lettered is terminal: not a lost job
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.DlqWithoutReason, 1, [dlq]));
    }

    [Fact]
    public void Check_AppliedJobsWithoutFinalBalance_IsUnknown()
    {
        var h = new TestHistory();
        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        h.Submit("c1", HistoryEventType.Ok, "j1", "t1", "a1", 10);
        h.JobState("j1", JobStates.Done);

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Unknown);
        result.ShouldHaveNoAnomalies();
        result.UnknownReasons.Should().Equal("account a1 has applied jobs but no final balance read: double-effect is not decided");
    }

    [Fact]
    public void Check_UnfinishedJobsDrain_IsUnknown()
    {
        var h = new TestHistory();
        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        h.Submit("c1", HistoryEventType.Ok, "j1", "t1", "a1", 10);
        h.Marker(HistoryOps.Drain, HistoryEventType.Invoke, "jobs");
        var ended = h.Marker(HistoryOps.Drain, HistoryEventType.Info, "jobs", "timed out after 30 s");

        var result = Check(h);

        result.Verdict.Should().Be(Verdict.Unknown);
        result.ShouldHaveNoAnomalies();
        result.UnknownReasons.Should().Equal($"the final drain of jobs (timed out after 30 s) did not finish (event {ended} is info)");
    }

    // ---- dead-lettered-early: given up before the budget, on answers the caller may retry, with no fault to hide attempts

    private static readonly RetryEnvelope Backoff = new() { BaseDelay = TimeSpan.FromMilliseconds(100), MaxAttempts = 6 };

    /// <summary>j1 submitted at <paramref name="submitAt"/> ms; the provider fails <paramref name="statuses"/>.Length calls
    /// for it, 300 ms apart from 1 s later, each with that status (or refuses the last when <paramref name="lastRefused"/>);
    /// then the drain reads it dead-lettered at 60 s. <paramref name="fault"/> is a fault window (name, target, from, to
    /// ms), recorded first.</summary>
    private static (TestHistory History, long[] Calls, long State) DeadLettered(int[] statuses, bool lastRefused = false,
        (string Name, string? Target, long From, long To)? fault = null, long submitAt = 1_000)
    {
        var h = new TestHistory();
        if (fault is { } f)
        {
            h.Fault(f.Name, HistoryOps.Fault, f.From, f.Target);
            h.Fault(f.Name, HistoryOps.Heal, f.To, f.Target);
        }

        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10, submitAt);
        var calls = new List<long>();
        for (var i = 0; i < statuses.Length; i++)
        {
            var refused = lastRefused && i == statuses.Length - 1;
            calls.Add(h.Call("j1", i + 1, submitAt + 1_000 + (i * 300), refused ? CallValue.Refused : CallValue.Fail, statuses[i]));
        }

        var state = h.Add("jobs", HistoryEventType.Ok, HistoryOps.JobState, new JobStateValue("j1", JobStates.DeadLettered, "downstream refused the call: 500"), 60_000_000_000);
        return (h, [.. calls], state);
    }

    [Fact]
    public void Check_DeadLetteredAfterOneRetriableFailureWithNoFault_IsDeadLetteredEarly()
    {
        // a worker that takes a 500 for a refusal (the mutation score's miss: HttpDownstream's `status >= 500` as `> 500`)
        var (h, calls, state) = DeadLettered([500]);

        var result = new JobsCheck(6, Backoff).Check(h.Events);

        result.Verdict.Should().Be(Verdict.Invalid);
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.DeadLetteredEarly, 1, [.. calls, state]));
        result.Anomalies[AnomalyNames.DeadLetteredEarly].Examples[0].Explanation.Should()
            .Be("job j1 was dead-lettered after 1 call(s) of its budget of 6, each failed with a status the caller may retry (500), none refused, and no fault could have hidden an attempt");
        result.Counters["dead-letters-judged"].Should().Be(1);
    }

    [Theory]
    [InlineData("downstream-down", "jobs", 1_500, 2_000)]      // the provider unreachable: later attempts never arrived
    [InlineData("downstream-down", "jobs", -1_500, -500)]     // healed 0.5 s before the submit: within the second it may reach
    [InlineData("process-kill", "jobs-1", 3_000, 4_000)]      // a worker killed between a reservation and its call
    [InlineData("broker-down", "broker-2", -500, 500)]        // a rebalance that cancelled a reserved attempt
    [InlineData("broker-down", "broker-2", -15_000, -14_500)] // healed 14.5 s before the submit: a rebalance may still come
    [InlineData("request-errors", "OffsetCommit", 1_000, 1_100)] // a refused commit may set off a redelivery or a rebalance
    [InlineData("something-new", null, 1_000, 1_100)]         // a fault the checker does not know may hide attempts
    public void Check_DeadLetteredEarlyNearAFaultThatCanHideAttempts_IsExcused(string fault, string? target, long from, long to)
    {
        // the fault's times are relative to the submit (at 20 s): calls at 21 and 21.3 s
        var (h, _, _) = DeadLettered([503, 504], fault: (fault, target, from + 20_000, to + 20_000), submitAt: 20_000);

        var result = new JobsCheck(6, Backoff).Check(h.Events);

        result.ShouldHaveNoAnomalies();
        result.Counters["dead-letters-excused-by-fault"].Should().Be(1);
        result.Counters["dead-letters-judged"].Should().Be(0);
    }

    [Theory]
    [InlineData("downstream-failure", "jobs")]  // every call still arrives and is recorded
    [InlineData("downstream-stall", "jobs")]
    [InlineData("process-kill", "api-1")]       // another role's instance
    [InlineData("reset-mid-frame", "gateway-2")]
    [InlineData("sleep", "u3/d1")]               // a device
    [InlineData("app-kill", "u1/d2")]
    [InlineData("read-stall", "u2/d1")]
    [InlineData("leader-move", "fanout/4")]
    [InlineData("topic-refused", "jobs-dlq")]     // a producer's failure: no consumer group, no call in flight touched
    [InlineData("request-errors", "Produce")]
    public void Check_DeadLetteredEarlyWhileAFaultThatCannotHideAttemptsHeld_IsDeadLetteredEarly(string fault, string target)
    {
        var (h, _, _) = DeadLettered([502], fault: (fault, target, 1_500, 4_000));

        new JobsCheck(6, Backoff).Check(h.Events).Anomalies.Keys.Should().Equal(AnomalyNames.DeadLetteredEarly);
    }

    [Fact]
    public void Check_DeadLetteredEarlyWithAHidingFaultOnlyAfterTheRemainingBackoff_IsDeadLetteredEarly()
    {
        // last call at 2.6 s (3 calls); the 3 remaining attempts wait at most 400 + 800 + 1600 ms, plus 2 s of slack:
        // until 7.4 s. A worker kill from 8.5 s (less the 1 s a kill may reach back) cannot have hidden them
        var (h, _, _) = DeadLettered([429, 408, 500], fault: ("process-kill", "jobs-1", 8_500, 9_000));

        new JobsCheck(6, Backoff).Check(h.Events).Anomalies.Keys.Should().Equal(AnomalyNames.DeadLetteredEarly);
    }

    [Fact]
    public void Check_DeadLetteredEarlyWellAfterTheProviderWasUnreachable_IsDeadLetteredEarly()
    {
        // an unreachable provider hides the calls made while it holds, and moves no consumer group: healed 2 s before
        // the submit it cannot have hidden the job's attempts (a worker kill then could: a rebalance comes later)
        var (h, _, _) = DeadLettered([500], fault: ("downstream-down", "jobs", 17_000, 18_000), submitAt: 20_000);

        new JobsCheck(6, Backoff).Check(h.Events).Anomalies.Keys.Should().Equal(AnomalyNames.DeadLetteredEarly);
    }

    [Fact]
    public void Check_DeadLetteredEarlyWithAHidingFaultLaterAndNoBaseDelay_IsExcused()
    {
        // without the policy's delays the remaining attempts may come any time before the drain
        var (h, _, _) = DeadLettered([500], fault: ("process-kill", "jobs-1", 20_000, 21_000));

        new JobsCheck(6, new RetryEnvelope { MaxAttempts = 6 }).Check(h.Events).ShouldHaveNoAnomalies();
    }

    [Fact]
    public void Check_DeadLetteredAfterARefusal_IsValidAndJudged()
    {
        var (h, _, _) = DeadLettered([500, 422], lastRefused: true);

        var result = new JobsCheck(6, Backoff).Check(h.Events);

        result.ShouldHaveNoAnomalies();
        result.Counters["dead-letters-judged"].Should().Be(1);
    }

    [Fact]
    public void Check_DeadLetteredAfterTheWholeBudgetFailed_IsValidAndJudged()
    {
        var (h, _, _) = DeadLettered([500, 502, 503, 504, 429, 408]);

        var result = new JobsCheck(6, Backoff).Check(h.Events);

        result.ShouldHaveNoAnomalies();
        result.Counters["dead-letters-judged"].Should().Be(1);
    }

    [Fact]
    public void Check_DeadLetteredEarlyWithoutABudget_IsUnchecked()
    {
        var (h, _, _) = DeadLettered([500]);

        var result = new JobsCheck().Check(h.Events);

        result.ShouldHaveNoAnomalies();
        result.Counters.Should().NotContainKey("dead-letters-judged");
    }

    // ---- exhausted-not-dead-lettered: counted from the calls the harness's downstream provider observed

    /// <summary>j1 is acknowledged, then the provider fails <paramref name="failedCalls"/> calls for it (and accepts one
    /// more when <paramref name="thenOk"/>), then the drain reads <paramref name="state"/>.</summary>
    private static (TestHistory History, long[] Calls, long State) Budgeted(int failedCalls, string state, bool thenOk = false)
    {
        var h = new TestHistory();
        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        h.Submit("c1", HistoryEventType.Ok, "j1", "t1", "a1", 10);
        var calls = Enumerable.Range(1, failedCalls).Select(i => h.Call("j1", i, i * 1_000)).ToList();
        if (thenOk)
        {
            calls.Add(h.Call("j1", failedCalls + 1, (failedCalls + 1) * 1_000, ok: true));
        }

        var stateIndex = h.JobState("j1", state, state == JobStates.DeadLettered ? "retry budget exhausted after 3 attempts" : null);
        return (h, [.. calls], stateIndex);
    }

    [Fact]
    public void Check_BudgetOfFailedCallsAndLeftFailed_IsExhaustedNotDeadLetteredAndLostJob()
    {
        var (h, calls, state) = Budgeted(3, "failed");   // what the no-dlq defect leaves

        var result = new JobsCheck(attemptBudget: 3).Check(h.Events);

        result.Anomalies.Keys.Should().BeEquivalentTo([AnomalyNames.ExhaustedNotDeadLettered, AnomalyNames.LostJob]);
        result.Count(AnomalyNames.ExhaustedNotDeadLettered).Should().Be(1);
        var example = result.Anomalies[AnomalyNames.ExhaustedNotDeadLettered].Examples[0];
        example.Events.Should().Equal([.. calls, state]);
        example.Explanation.Should().Contain("all 3").And.Contain("'failed'");
    }

    [Fact]
    public void Check_BudgetOfFailedCallsYetDone_IsExhaustedNotDeadLettered()
    {
        // a worker that gives up and marks the job done anyway: its state is terminal, so lost-job cannot see it
        var (h, calls, state) = Budgeted(3, JobStates.Done);
        h.Balance("a1", 10);

        var result = new JobsCheck(attemptBudget: 3).Check(h.Events);

        result.Anomalies.Keys.Should().BeEquivalentTo([AnomalyNames.ExhaustedNotDeadLettered]);
        result.Anomalies[AnomalyNames.ExhaustedNotDeadLettered].Examples[0].Events.Should().Equal([.. calls, state]);
    }

    [Fact]
    public void Check_BudgetOfFailedCallsAndDeadLettered_IsValid()
    {
        var (h, _, _) = Budgeted(3, JobStates.DeadLettered);

        new JobsCheck(attemptBudget: 3).Check(h.Events).Verdict.Should().Be(Verdict.Valid);
    }

    [Fact]
    public void Check_FewerFailedCallsThanTheBudgetAndLeftFailed_IsOnlyLostJob()
    {
        var (h, _, _) = Budgeted(2, "failed");

        new JobsCheck(attemptBudget: 3).Check(h.Events).Anomalies.Keys.Should().BeEquivalentTo([AnomalyNames.LostJob]);
    }

    [Fact]
    public void Check_BudgetReachedWithALastCallAccepted_IsNotExhausted()
    {
        var (h, _, _) = Budgeted(2, JobStates.Done, thenOk: true);
        h.Balance("a1", 10);

        new JobsCheck(attemptBudget: 3).Check(h.Events).Verdict.Should().Be(Verdict.Valid);
    }

    [Fact]
    public void Check_ExhaustedJobWhileTheJobsDrainDidNotFinish_IsNotDecided()
    {
        var (h, _, _) = Budgeted(3, "failed");
        h.Marker(HistoryOps.Drain, HistoryEventType.Invoke, "jobs");
        h.Marker(HistoryOps.Drain, HistoryEventType.Info, "jobs", "timed out");

        var result = new JobsCheck(attemptBudget: 3).Check(h.Events);

        result.Anomalies.Should().BeEmpty();
        result.Verdict.Should().Be(Verdict.Unknown);
    }

    [Fact]
    public void Check_WithoutABudget_ExhaustionIsNotJudged()
    {
        var (h, _, _) = Budgeted(3, "failed");

        new JobsCheck().Check(h.Events).Anomalies.Keys.Should().BeEquivalentTo([AnomalyNames.LostJob]);
    }

    // ---- dlq-record-missing: the system's "dead-lettered" against the dead-letter topic the harness read

    /// <summary>j1 and j2 acknowledged; j1 done on a1, j2 dead-lettered with a reason; the balance holds j1's effect.</summary>
    private static (TestHistory History, long Submit, long State) OneDoneOneDeadLettered()
    {
        var h = new TestHistory();
        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        h.Submit("c1", HistoryEventType.Ok, "j1", "t1", "a1", 10);
        var submit = h.Submit("c2", HistoryEventType.Invoke, "j2", "t2", "a1", 5);
        h.Submit("c2", HistoryEventType.Ok, "j2", "t2", "a1", 5);
        h.JobState("j1", JobStates.Done);
        var state = h.JobState("j2", JobStates.DeadLettered, "payment refused");
        h.Balance("a1", 10);
        return (h, submit, state);
    }

    [Fact]
    public void Check_DeadLetteredJobWithItsRecordOnTheTopic_IsValid()
    {
        var (h, _, _) = OneDoneOneDeadLettered();
        h.DeadLetters("j2");

        var result = Check(h);

        result.ShouldHaveNoAnomalies();
        result.Verdict.Should().Be(Verdict.Valid);
        result.Counters["dead-letter-records"].Should().Be(1);
    }

    [Fact]
    public void Check_DeadLetteredJobWithoutARecordOnTheTopic_IsDlqRecordMissing()
    {
        var (h, submit, state) = OneDoneOneDeadLettered();
        var read = h.DeadLetters("j9");   // a record of another job does not vouch for j2

        var result = Check(h);

        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.DlqRecordMissing, 1, [submit, state, read]));
        result.Anomalies[AnomalyNames.DlqRecordMissing].Examples[0].Explanation.Should().Contain("job j2").And.Contain("1 record(s) read");
    }

    [Fact]
    public void Check_DeadLetteredJobsWhenTheTopicWasNeverRead_AreNotJudged()
    {
        var (h, _, _) = OneDoneOneDeadLettered();

        var result = Check(h);

        result.ShouldHaveNoAnomalies();
        result.Counters.Should().NotContainKey("dead-letter-records");
    }

    [Fact]
    public void Check_DeadLetteredJobWithoutARecordWhileTheJobsDrainDidNotFinish_IsNotDecided()
    {
        var (h, _, _) = OneDoneOneDeadLettered();
        h.DeadLetters();
        h.Marker(HistoryOps.Drain, HistoryEventType.Invoke, "jobs");
        h.Marker(HistoryOps.Drain, HistoryEventType.Info, "jobs", "timed out");

        var result = Check(h);

        result.Anomalies.Should().BeEmpty();
        result.Verdict.Should().Be(Verdict.Unknown);
    }
}
