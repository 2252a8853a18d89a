using Chaos.Harness.Checkers;
using Chaos.Harness.History;

namespace Chaos.Harness.Tests.Checkers;

public sealed class RetryStormCheckTests
{
    private static readonly RetryEnvelope Policy = new() { BaseDelay = TimeSpan.FromMilliseconds(100), Jitter = 0.5, MaxAttempts = 4 };

    [Fact]
    public void Check_RetriesInsideTheEnvelope_AreValid()
    {
        var h = new TestHistory();
        h.Attempt("j1", 1, 0);
        h.Attempt("j1", 2, 60);   // ≥ 100 × 0.5
        h.Attempt("j1", 3, 200);  // ≥ 200 × 0.5 after
        h.Attempt("j1", 4, 400);

        var result = new RetryStormCheck(Policy).Check(h.Events);

        result.Verdict.Should().Be(Verdict.Valid);
        result.ShouldHaveNoAnomalies();
    }

    [Fact]
    public void Check_RetryFasterThanPolicy_IsRetryStorm()
    {
        var h = new TestHistory();
        var first = h.Attempt("j1", 1, 0);
        var second = h.Attempt("j1", 2, 10);

        var result = new RetryStormCheck(Policy).Check(h.Events);

        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.RetryStorm, 1, [first, second]));
        result.Anomalies[AnomalyNames.RetryStorm].Examples[0].Explanation.Should().Be("job j1 retried 10 ms after attempt 1; the policy allows no sooner than 50 ms");
    }

    [Fact]
    public void Check_StampedAttemptBeyondBudget_WithoutObservedCalls_IsRetryBudgetExceeded()
    {
        var h = new TestHistory();
        var stamps = Enumerable.Range(1, 5).Select(i => h.Attempt("j1", i, i * 10_000)).ToList();

        var result = new RetryStormCheck(Policy).Check(h.Events);

        // spaced 10 s apart (inside the envelope): only the fifth attempt, beyond the budget of 4, breaks a rule
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.RetryBudgetExceeded, 1, [stamps[4]]));
        result.Anomalies[AnomalyNames.RetryBudgetExceeded].Examples[0].Explanation.Should().Be("job j1 made attempt 5, beyond the retry budget of 4");
    }

    [Fact]
    public void Check_ManyJobsRetryingInTheSameInstant_IsRetryStorm()
    {
        var h = new TestHistory();
        for (var i = 0; i < 12; i++)
        {
            h.Attempt($"j{i}", 1, 0);
        }

        var retries = new List<long>();
        for (var i = 0; i < 12; i++)
        {
            retries.Add(h.Attempt($"j{i}", 2, 100));
        }

        var result = new RetryStormCheck().Check(h.Events);

        // one cluster of synchronised retries, citing every retry of it (the first attempts are not retries)
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.RetryStorm, 1, [.. retries]));
    }

    [Fact]
    public void Check_RetriesSpreadByJitter_AreValid()
    {
        var h = new TestHistory();
        for (var i = 0; i < 12; i++)
        {
            h.Attempt($"j{i}", 1, 0);
        }

        for (var i = 0; i < 12; i++)
        {
            h.Attempt($"j{i}", 2, 100 + (i * 7));
        }

        var result = new RetryStormCheck().Check(h.Events);

        result.Verdict.Should().Be(Verdict.Valid);
        result.ShouldHaveNoAnomalies();
    }

    [Fact]
    public void Constructor_BadEnvelope_NamesTheField()
    {
        var act = () => new RetryStormCheck(new RetryEnvelope { Jitter = 2 });

        act.Should().Throw<ArgumentException>().WithMessage("*Jitter*");
    }

    // ---- counted from the calls the harness's downstream provider observed (docs/checkers.md, "Numbers the system states")

    /// <summary>The job-retry-storm scenario's envelope: base 100 ms, ×2, jitter floor 0.45, 6 attempts.</summary>
    private static readonly RetryEnvelope ScenarioPolicy = new() { BaseDelay = TimeSpan.FromMilliseconds(100), Jitter = 0.55, MaxAttempts = 6 };

    [Fact]
    public void Check_ObservedCallsMatchingStampsInsideTheEnvelope_AreValid()
    {
        var h = new TestHistory();
        long[] at = [0, 60, 200, 450];
        for (var i = 0; i < at.Length; i++)
        {
            h.Call("j1", i + 1, at[i], ok: i == at.Length - 1);
        }

        for (var i = 0; i < at.Length; i++)
        {
            h.Attempt("j1", i + 1, at[i]);
        }

        h.JobState("j1", JobStates.Done);

        var result = new RetryStormCheck(Policy).Check(h.Events);

        result.Verdict.Should().Be(Verdict.Valid);
        result.Counters["downstream-calls"].Should().Be(4);
        result.Counters["downstream-calls-failed"].Should().Be(3);
        result.Counters["retries"].Should().Be(3);
    }

    [Fact]
    public void Check_MoreObservedCallsThanTheBudget_WhileTheStampsLookFine_IsRetryBudgetExceededAndAttemptMiscount()
    {
        var h = new TestHistory();
        long[] at = [0, 60, 200, 450, 900];
        var calls = at.Select(t => h.Call("j1", null, t)).ToList();   // the worker claims no number in its calls
        var stamps = at.Take(4).Select((t, i) => h.Attempt("j1", i + 1, t)).ToList();   // and stamps only four
        var state = h.JobState("j1", JobStates.DeadLettered, "retry budget exhausted after 4 attempts");

        var result = new RetryStormCheck(Policy).Check(h.Events);

        result.Anomalies.Keys.Should().BeEquivalentTo([AnomalyNames.RetryBudgetExceeded, AnomalyNames.AttemptMiscount]);
        result.Count(AnomalyNames.RetryBudgetExceeded).Should().Be(1);
        result.Anomalies[AnomalyNames.RetryBudgetExceeded].Examples[0].Events.Should().Equal(calls);
        result.Anomalies[AnomalyNames.RetryBudgetExceeded].Examples[0].Explanation.Should().Contain("5 calls").And.Contain("budget of 4");
        result.Count(AnomalyNames.AttemptMiscount).Should().Be(1);
        result.Anomalies[AnomalyNames.AttemptMiscount].Examples[0].Events.Should().Equal([.. calls, stamps[3], state]);
    }

    [Fact]
    public void Check_RetrySpacing_IsMeasuredFromObservedCallTimes_NotFromTheStampedOnes()
    {
        var h = new TestHistory();
        var first = h.Call("j1", 1, 0);
        var second = h.Call("j1", 2, 10, ok: true);   // 10 ms after the first call: the policy asks for ≥ 50 ms
        h.Attempt("j1", 1, 0);
        h.Attempt("j1", 2, 60);                        // while the worker's stamp says 60 ms
        h.JobState("j1", JobStates.Done);

        var result = new RetryStormCheck(Policy).Check(h.Events);

        result.Anomalies.Keys.Should().BeEquivalentTo([AnomalyNames.RetryStorm]);
        result.Count(AnomalyNames.RetryStorm).Should().Be(1);
        result.Anomalies[AnomalyNames.RetryStorm].Examples[0].Events.Should().Equal(first, second);
    }

    [Fact]
    public void Check_ClaimedAttemptNumbersThatRestart_AreAttemptMiscount()
    {
        var h = new TestHistory();
        var c1 = h.Call("j1", 1, 0);
        var c2 = h.Call("j1", 2, 60);
        var c3 = h.Call("j1", 1, 1000, ok: true);
        h.Attempt("j1", 1, 0);
        var stamp2 = h.Attempt("j1", 2, 60);
        h.Attempt("j1", 1, 1000);
        var state = h.JobState("j1", JobStates.Done);

        var result = new RetryStormCheck(Policy).Check(h.Events);

        result.Anomalies.Keys.Should().BeEquivalentTo([AnomalyNames.AttemptMiscount]);
        result.Count(AnomalyNames.AttemptMiscount).Should().Be(1);
        var example = result.Anomalies[AnomalyNames.AttemptMiscount].Examples[0];
        example.Events.Should().Equal(c1, c2, c3, stamp2, state);
        example.Explanation.Should().Contain("call 3").And.Contain("claimed attempt 1").And.Contain("3 calls").And.Contain("up to 2");
    }

    /// <summary>
    /// The unnamed bug of issue 11: a worker keeps a job's attempt count in memory, so after a redelivery (its process
    /// was killed mid-retry) the count — and the backoff — restart at 1. The provider saw 7 calls against a budget of 6.
    /// </summary>
    [Fact]
    public void Check_AttemptCountRestartingAfterARedelivery_IsCaughtByTheObservedCalls()
    {
        var h = Redelivered(withCalls: true, out var calls, out var highestStamp, out var state);

        var result = new RetryStormCheck(ScenarioPolicy).Check(h.Events);

        result.Anomalies.Keys.Should().BeEquivalentTo([AnomalyNames.RetryBudgetExceeded, AnomalyNames.AttemptMiscount, AnomalyNames.RetryStorm]);
        result.Count(AnomalyNames.RetryBudgetExceeded).Should().Be(1);
        result.Anomalies[AnomalyNames.RetryBudgetExceeded].Examples[0].Events.Should().Equal(calls);
        result.Count(AnomalyNames.AttemptMiscount).Should().Be(1);
        result.Anomalies[AnomalyNames.AttemptMiscount].Examples[0].Events.Should().Equal([.. calls, highestStamp, state]);
        // the restarted count restarted the backoff too: calls 5, 6 and 7 came sooner than attempts 4, 5, 6 allow
        result.Count(AnomalyNames.RetryStorm).Should().Be(3);
        result.Anomalies[AnomalyNames.RetryStorm].Examples.Select(e => e.Events).Should().BeEquivalentTo(
            [new[] { calls[3], calls[4] }, [calls[4], calls[5]], [calls[5], calls[6]]], o => o.WithStrictOrdering());
    }

    [Fact]
    public void Check_AttemptCountRestartingAfterARedelivery_SlipsPastTheStampedNumbersAlone()
    {
        var h = Redelivered(withCalls: false, out _, out _, out _);

        var result = new RetryStormCheck(ScenarioPolicy).Check(h.Events);

        result.Verdict.Should().Be(Verdict.Valid, "the stamps restart at 1, so they stay within the budget and the backoff: why the checker counts calls");
    }

    [Fact]
    public void Check_StampedAttemptsBeyondTheObservedCalls_AreValid()
    {
        // a worker that reserves an attempt before calling and crashes in between stamps one more than the provider sees
        var h = new TestHistory();
        h.Call("j1", 1, 0);
        h.Call("j1", 3, 500, ok: true);
        h.Attempt("j1", 1, 0, "transient");
        h.Attempt("j1", 2, 60, "started");
        h.Attempt("j1", 3, 500, "ok");
        h.JobState("j1", JobStates.Done);

        new RetryStormCheck(Policy).Check(h.Events).Verdict.Should().Be(Verdict.Valid);
    }

    [Fact]
    public void Check_TwoDeliveriesCallingOutOfClaimOrder_AreNotAMiscount()
    {
        // a zombie's reserved attempt 1 arrives after the new owner's attempt 2: two distinct numbers for two calls
        var h = new TestHistory();
        h.Call("j1", 2, 0, ok: true);
        h.Call("j1", 1, 5_000, ok: true);
        h.Attempt("j1", 1, 0, "ok");
        h.Attempt("j1", 2, 0, "ok");
        h.JobState("j1", JobStates.Done);

        new RetryStormCheck(Policy).Check(h.Events).Verdict.Should().Be(Verdict.Valid);
    }

    [Fact]
    public void Check_CallsAfterTheDrainReadAJobStillRetrying_AreNotAMiscount()
    {
        var h = new TestHistory();
        h.Call("j1", 1, 0);
        h.Attempt("j1", 1, 0, "transient");
        h.JobState("j1", JobStates.Retrying);
        h.Call("j1", 2, 500);

        new RetryStormCheck(Policy).Check(h.Events).Verdict.Should().Be(Verdict.Valid);
    }

    [Fact]
    public void Check_ACallAfterTheProviderRefusedTheJobForGood_IsRetryAfterRefusal_WhateverTheWorkerStamped()
    {
        var h = new TestHistory();
        h.Call("j1", 1, 0);
        var refused = h.Call("j1", 2, 100, CallValue.Refused);
        var again = h.Call("j1", 3, 1_000, ok: true);   // e.g. read again after its dead-letter record was refused
        h.Attempt("j1", 1, 0, "transient");
        h.Attempt("j1", 2, 100, "permanent: declined");
        h.Attempt("j1", 3, 1_000, "ok");
        h.JobState("j1", JobStates.Done);

        var result = new RetryStormCheck(ScenarioPolicy).Check(h.Events);

        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.RetryAfterRefusal, 1, [refused, again]));
        result.Anomalies[AnomalyNames.RetryAfterRefusal].Examples[0].Explanation.Should()
            .Be("job j1: the downstream provider refused its call 2 for good (a 422: not to be retried), yet received 1 more call for it after that");
    }

    [Fact]
    public void Check_ARefusalAsTheJobsLastCall_IsValid()
    {
        var h = new TestHistory();
        h.Call("j1", 1, 0);
        h.Call("j1", 2, 100, CallValue.Refused);
        h.Call("j2", 1, 100, CallValue.Refused);
        h.Call("j3", 1, 150, ok: true);   // another job's calls are not this one's retries
        h.Attempt("j1", 1, 0, "transient");
        h.Attempt("j1", 2, 100, "permanent: declined");
        h.Attempt("j2", 1, 100, "permanent: declined");
        h.JobState("j1", JobStates.DeadLettered, "declined");
        h.JobState("j2", JobStates.DeadLettered, "declined");

        new RetryStormCheck(ScenarioPolicy).Check(h.Events).Verdict.Should().Be(Verdict.Valid);
    }

    /// <summary>Delivery 1 makes attempts 1–3 and dies; delivery 2 starts again at 1 and succeeds at its attempt 4.</summary>
    [Fact]
    public void Check_ARetryWithinTheLongestDelayPlusTolerance_IsNotLate()
    {
        var h = new TestHistory();
        h.Call("j1", 1, 0);
        h.Call("j1", 2, 1_050);            // ≤ 100 ms (attempt 1's longest delay) + 1 s tolerance
        h.Call("j1", 3, 2_200, ok: true);  // ≤ 200 ms + 1 s after the second

        var result = new RetryStormCheck(Policy).Check(h.Events);

        result.ShouldHaveNoAnomalies();
        result.Counters["retry-gaps-judged-late"].Should().Be(2);
    }

    [Fact]
    public void Check_ARetryLaterThanTheLongestDelayPlusTolerance_IsRetryLate()
    {
        var h = new TestHistory();
        var first = h.Call("j1", 1, 0);
        var second = h.Call("j1", 2, 1_150, ok: true);

        var result = new RetryStormCheck(Policy).Check(h.Events);

        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.RetryLate, 1, [first, second]));
        result.Anomalies[AnomalyNames.RetryLate].Examples[0].Explanation.Should().Be(
            "job j1: the downstream provider received call 2 1150 ms after answering call 1; the policy waits at most 100 ms (+1000 ms tolerance), and no fault that could hide or delay a call was near");
    }

    [Fact]
    public void Check_ABackoffFourTimesTooSlow_IsRetryLate_OncePerJob_AtItsWorstGap()
    {
        // the shape of mutant server-1422 (JobsWorker's `attempt - 1` -> `attempt + 1`): every wait 4x the policy's
        var h = new TestHistory();
        long[] times = [0, 400, 1_200, 2_800, 6_000];
        var calls = times.Select((t, i) => h.Call("j1", i + 1, t, ok: i == times.Length - 1)).ToArray();

        var result = new RetryStormCheck(Policy with { MaxAttempts = 5 }).Check(h.Events);

        // 400 - 100, 800 - 200 and 1600 - 400 are within the 1 s tolerance; 3200 - 800 is not
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.RetryLate, 1, [calls[3], calls[4]]));
    }

    [Fact]
    public void Check_RetryLateness_CountsFromTheAnswer_AfterTheProvidersHold()
    {
        var h = new TestHistory();
        h.Call("j1", 1, 0, CallValue.Fail, 503, heldMs: 2_000);
        h.Call("j1", 2, 3_000, ok: true); // 1 s after the held answer left

        var result = new RetryStormCheck(Policy).Check(h.Events);

        result.ShouldHaveNoAnomalies();
    }

    [Fact]
    public void Check_RetryLateness_OnAHistorysExtremeTimesAndHolds_NeitherOverflowsNorThrows()
    {
        // a history is input: negative times (events before the run's clock started), a hold of a billion years
        var h = new TestHistory();
        h.Call("j1", 1, -10_000);
        var late = h.Call("j1", 2, -5_000);
        h.Call("j2", 1, 0, CallValue.Fail, 503, heldMs: long.MaxValue / 2);
        h.Call("j2", 2, 1_000, ok: true);

        var result = new RetryStormCheck(Policy).Check(h.Events);

        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.RetryLate, 1, [late - 1, late]));
    }

    [Fact]
    public void Check_RetryLateness_IsCappedByTheMaxDelay()
    {
        var h = new TestHistory();
        h.Call("j1", 1, 0);
        h.Call("j1", 2, 100);
        h.Call("j1", 3, 300);
        var late = h.Call("j1", 4, 1_600, ok: true); // attempt 3's delay: 400 ms by the exponent, at most 250 ms by the cap

        var uncapped = new RetryStormCheck(Policy).Check(h.Events);
        var capped = new RetryStormCheck(Policy with { MaxDelay = TimeSpan.FromMilliseconds(250) }).Check(h.Events);

        uncapped.ShouldHaveNoAnomalies();
        capped.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.RetryLate, 1, [late - 1, late]));
    }

    [Fact]
    public void Check_ALateRetryNearAFaultThatCouldHideOrDelayACall_IsExcused_ButNotNearTheProvidersAnswerFaults()
    {
        var h = new TestHistory();
        h.Fault("downstream-failure", HistoryOps.Fault, 0, "downstream");
        h.Call("j1", 1, 10);
        var late = h.Call("j1", 2, 3_000, ok: true);
        h.Fault("process-pause", HistoryOps.Fault, 20_000, "jobs-1");
        h.Call("j2", 1, 20_010);
        h.Fault("process-pause", HistoryOps.Heal, 21_000, "jobs-1");
        h.Call("j2", 2, 23_000, ok: true);
        h.Fault("downstream-failure", HistoryOps.Heal, 30_000, "downstream");

        var result = new RetryStormCheck(Policy).Check(h.Events);

        // j1's gap had only the provider failing calls near it (they still arrive, answered at once); j2's a paused worker
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.RetryLate, 1, [late - 1, late]));
        result.Counters["retry-gaps-judged-late"].Should().Be(1);
        result.Counters["retry-gaps-excused-by-fault"].Should().Be(1);
    }

    [Fact]
    public void Constructor_BadLateness_NamesTheField()
    {
        var negative = () => new RetryStormCheck(Policy with { LateTolerance = TimeSpan.FromMilliseconds(-1) });
        var zero = () => new RetryStormCheck(Policy with { MaxDelay = TimeSpan.Zero });

        negative.Should().Throw<ArgumentException>().WithMessage("*LateTolerance*");
        zero.Should().Throw<ArgumentException>().WithMessage("*MaxDelay*");
    }

    private static TestHistory Redelivered(bool withCalls, out long[] calls, out long highestStamp, out long state)
    {
        var h = new TestHistory();
        (int Claim, long At)[] attempts = [(1, 0), (2, 100), (3, 300), (1, 7_000), (2, 7_100), (3, 7_300), (4, 7_700)];
        calls = withCalls ? [.. attempts.Select((a, i) => h.Call("t5", a.Claim, a.At, ok: i == attempts.Length - 1))] : [];
        var stamps = attempts.Select((a, i) => h.Attempt("t5", a.Claim, a.At, i == attempts.Length - 1 ? "ok" : "transient")).ToList();
        highestStamp = stamps[^1];
        // what redelivered it: the worker killed after its third call (so the 6.7 s wait is no late retry)
        h.Fault("process-kill", HistoryOps.Fault, 400, "jobs-1");
        h.Fault("process-kill", HistoryOps.Heal, 1_000, "jobs-1");
        state = h.JobState("t5", JobStates.Done);
        return h;
    }
}
