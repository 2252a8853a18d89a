using Chaos.Harness.Checkers;
using Chaos.Harness.History;

namespace Chaos.Harness.Tests.Checkers;

/// <summary>"The gate never passes on nothing": each promise is exercised only when the history holds the events it
/// needs (docs/checkers.md, "When a promise is exercised"); a required one that was not makes the verdict unknown.</summary>
public sealed class ExerciseCheckTests
{
    private static PromiseExercise Exercise(TestHistory h, string promise, params LatencyThreshold[] slos) =>
        new ExerciseCheck(PromiseNames.All, slos).Check(h.Events).Exercise[promise];

    private static void ShouldBeExercised(PromiseExercise exercise, string detail)
    {
        exercise.Exercised.Should().BeTrue(exercise.Detail);
        exercise.Detail.Should().Be(detail);
    }

    private static void ShouldNotBeExercised(PromiseExercise exercise, string because)
    {
        exercise.Exercised.Should().BeFalse(exercise.Detail);
        exercise.Detail.Should().Be(because);
    }

    // ---- no-loss: an acknowledged send to a user with a device that finished its final sync

    [Fact]
    public void NoLoss_AcknowledgedSendToASyncedDevice_IsExercised()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1);
        h.Sync("u1", "d1");

        ShouldBeExercised(Exercise(h, PromiseNames.NoLoss), "1 acknowledged send(s) to users with a device that finished its final sync");
    }

    [Fact]
    public void NoLoss_NothingSent_IsNotExercised() =>
        ShouldNotBeExercised(Exercise(new TestHistory(), PromiseNames.NoLoss), "no send was acknowledged");

    [Fact]
    public void NoLoss_OnlyAnInfoSend_IsNotExercised()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Invoke("s1", "m1", "u1");
        h.Complete("s1", HistoryEventType.Info, "m1");
        h.Sync("u1", "d1");

        ShouldNotBeExercised(Exercise(h, PromiseNames.NoLoss), "no send was acknowledged");
    }

    [Fact]
    public void NoLoss_AcknowledgedSendToAUserWithNoDevice_IsNotExercised()
    {
        var h = new TestHistory().Send("s1", "m1", "u1", 1);

        ShouldNotBeExercised(Exercise(h, PromiseNames.NoLoss), "none of the 1 acknowledged send(s) was addressed to a user with a device");
    }

    [Fact]
    public void NoLoss_RecipientsDeviceNeverSynced_IsNotExercised()
    {
        // u2 synced, but the send went to u1, whose device never did
        var h = new TestHistory().Device("u1", "d1").Device("u2", "d1").Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Sync("u2", "d1");
        h.SyncEnded(HistoryEventType.Info, "u1", "d1");

        ShouldNotBeExercised(Exercise(h, PromiseNames.NoLoss), "no device of a recipient of the 1 acknowledged send(s) finished a final sync");
    }

    // ---- no-duplicates: a delivery; only-what-was-sent: a delivery or a synced item

    [Fact]
    public void NoDuplicates_OneDelivery_IsExercised()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Deliver("u1", "d1", "m1", 1);

        ShouldBeExercised(Exercise(h, PromiseNames.NoDuplicates), "1 deliveries");
    }

    [Fact]
    public void NoDuplicates_OnlyDroppedRedeliveries_IsNotExercised()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Drop("u1", "d1", "m1", 1);

        ShouldNotBeExercised(Exercise(h, PromiseNames.NoDuplicates), "nothing was delivered");
    }

    [Fact]
    public void OnlyWhatWasSent_ASyncedItemAlone_IsExercised()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Sync("u1", "d1", ("m1", 1));

        ShouldBeExercised(Exercise(h, PromiseNames.OnlyWhatWasSent), "0 deliveries and 1 synced item(s)");
    }

    [Fact]
    public void OnlyWhatWasSent_NothingDeliveredOrSynced_IsNotExercised()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1);
        h.Sync("u1", "d1");

        ShouldNotBeExercised(Exercise(h, PromiseNames.OnlyWhatWasSent), "nothing was delivered or synced");
    }

    // ---- per-user-ordering: a device that received two messages, or a user with two acknowledged, sequenced sends

    [Fact]
    public void Ordering_TwoMessagesOnOneDevice_IsExercised()
    {
        var h = new TestHistory().Device("u1", "d1");
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d1", "m2", 2);

        ShouldBeExercised(Exercise(h, PromiseNames.PerUserOrdering),
            "1 device(s) received two or more messages; 0 user(s) had two or more acknowledged sends with sequence numbers");
    }

    [Fact]
    public void Ordering_TwoAcknowledgedSequencedSendsToOneUser_IsExercised()
    {
        var h = new TestHistory().Send("s1", "m1", "u1", 1).Send("s1", "m2", "u1", 2);

        ShouldBeExercised(Exercise(h, PromiseNames.PerUserOrdering),
            "0 device(s) received two or more messages; 1 user(s) had two or more acknowledged sends with sequence numbers");
    }

    [Fact]
    public void Ordering_OneMessagePerDeviceAndSendsWithoutSeqs_IsNotExercised()
    {
        // the same message twice on one device, one message on another, and acks that carry no seq: nothing to order
        var h = new TestHistory().Device("u1", "d1").Device("u1", "d2");
        h.Invoke("s1", "m1", "u1");
        h.Complete("s1", HistoryEventType.Ok, "m1", "u1");
        h.Invoke("s1", "m2", "u1");
        h.Complete("s1", HistoryEventType.Ok, "m2", "u1");
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d2", "m2", 2);

        ShouldNotBeExercised(Exercise(h, PromiseNames.PerUserOrdering),
            "no device received two messages and no user had two acknowledged sends with sequence numbers");
    }

    // ---- jobs-exactly-once: an acknowledged job, its state read, its account's balance read after it was submitted

    private static TestHistory AcknowledgedJob(HistoryEventType submitOutcome = HistoryEventType.Ok)
    {
        var h = new TestHistory();
        h.Balance("a1", 0);
        h.Submit("c1", HistoryEventType.Invoke, "j1", "t1", "a1", 10);
        h.Submit("c1", submitOutcome, "j1", "t1", "a1", 10);
        return h;
    }

    [Fact]
    public void Jobs_AcknowledgedJobWithStateAndFinalBalance_IsExercised()
    {
        var h = AcknowledgedJob();
        h.JobState("j1", JobStates.Done);
        h.Balance("a1", 10);

        ShouldBeExercised(Exercise(h, PromiseNames.JobsExactlyOnce), "1 acknowledged job(s), 1 with a state read, 1 account balance(s) read after their jobs");
    }

    [Fact]
    public void Jobs_NoJob_IsNotExercised() =>
        ShouldNotBeExercised(Exercise(new TestHistory(), PromiseNames.JobsExactlyOnce), "no job was acknowledged");

    [Fact]
    public void Jobs_SubmitThatFailed_IsNotExercised()
    {
        var h = AcknowledgedJob(HistoryEventType.Fail);
        h.JobState("j1", JobStates.Done);
        h.Balance("a1", 10);

        ShouldNotBeExercised(Exercise(h, PromiseNames.JobsExactlyOnce), "no job was acknowledged");
    }

    [Fact]
    public void Jobs_NoStateRead_IsNotExercised()
    {
        var h = AcknowledgedJob();
        h.Balance("a1", 10);

        ShouldNotBeExercised(Exercise(h, PromiseNames.JobsExactlyOnce), "the state of none of the 1 acknowledged job(s) was read");
    }

    [Fact]
    public void Jobs_OnlyTheOpeningBalanceRead_IsNotExercised()
    {
        var h = AcknowledgedJob();
        h.JobState("j1", JobStates.Done);

        ShouldNotBeExercised(Exercise(h, PromiseNames.JobsExactlyOnce),
            "no balance of an account credited by the 1 acknowledged job(s) was read after they were submitted");
    }

    // ---- retries-within-backoff: one job attempted at least twice, counted from attempt events

    [Fact]
    public void Retries_TwoAttemptsOfOneJob_IsExercised()
    {
        var h = new TestHistory();
        h.Attempt("j1", 1, 0);
        h.Attempt("j1", 2, 100);

        ShouldBeExercised(Exercise(h, PromiseNames.RetriesWithinBackoff), "1 job(s) attempted more than once (2 attempts)");
    }

    [Fact]
    public void Retries_AnAttemptNumberedTwoButRecordedOnce_IsNotExercised()
    {
        // counted from events, never from numbers the system reports: one event is one attempt observed
        var h = new TestHistory();
        h.Attempt("j1", 2, 100);
        h.Attempt("j2", 1, 100);

        ShouldNotBeExercised(Exercise(h, PromiseNames.RetriesWithinBackoff), "no job was attempted more than once (2 attempt(s) of 2 job(s)): no retry was observed");
    }

    [Fact]
    public void Retries_NoAttempt_IsNotExercised() =>
        ShouldNotBeExercised(Exercise(new TestHistory(), PromiseNames.RetriesWithinBackoff), "no job attempt was recorded");

    // ---- latency-slo: an SLO set, and a delivery in each phase it judges

    /// <summary>One steady delivery (m1), a fault window, and — when <paramref name="faultDelivery"/> — one delivery of
    /// a send invoked in it (m2).</summary>
    private static TestHistory SteadyAndFault(bool faultDelivery)
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);
        h.Fault("kill", HistoryOps.Fault, 100);
        if (faultDelivery)
        {
            h.Send("s1", "m2", "u1", 2);
            h.Deliver("u1", "d1", "m2", 2);
        }

        h.Fault("kill", HistoryOps.Heal, 200);
        return h;
    }

    [Fact]
    public void Latency_NoSlo_IsNotExercised() =>
        ShouldNotBeExercised(Exercise(SteadyAndFault(faultDelivery: true), PromiseNames.LatencySlo), "no latency SLO was set");

    [Fact]
    public void Latency_SloOfEachPhaseWithDeliveriesInEach_IsExercised() =>
        ShouldBeExercised(Exercise(SteadyAndFault(faultDelivery: true), PromiseNames.LatencySlo, LatencyThreshold.Parse("p99=1s"), LatencyThreshold.Parse("all:max=2s")),
            "1 steady-state and 1 fault-phase deliveries against 2 SLO(s)");

    [Fact]
    public void Latency_UnphasedSloWithAFaultPhaseWithoutDeliveries_IsNotExercised() =>
        ShouldNotBeExercised(Exercise(SteadyAndFault(faultDelivery: false), PromiseNames.LatencySlo, LatencyThreshold.Parse("p99=1s")),
            "no delivery was observed in the fault phase, which SLO p99=1000ms judges");

    [Fact]
    public void Latency_SteadySloInARunWithoutFaultDeliveries_IsExercised() =>
        ShouldBeExercised(Exercise(SteadyAndFault(faultDelivery: false), PromiseNames.LatencySlo, LatencyThreshold.Parse("steady:p99=1s")),
            "1 steady-state and 0 fault-phase deliveries against 1 SLO(s)");

    [Fact]
    public void Latency_FaultSloInARunWithoutFaultPhase_IsNotExercised()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1);
        h.Deliver("u1", "d1", "m1", 1);

        ShouldNotBeExercised(Exercise(h, PromiseNames.LatencySlo, LatencyThreshold.Parse("fault:p99=2s")),
            "no delivery was observed in the fault phase, which SLO fault:p99=2000ms judges");
        ShouldBeExercised(Exercise(h, PromiseNames.LatencySlo, LatencyThreshold.Parse("p99=2s")),
            "1 steady-state and 0 fault-phase deliveries against 1 SLO(s)");
    }

    // ---- required promises

    [Fact]
    public void StandardChecks_EmptyHistory_IsUnknownForEachRequiredDeliveryPromise()
    {
        var result = StandardChecks.Check([]);

        result.Verdict.Should().Be(Verdict.Unknown);
        result.ShouldHaveNoAnomalies();
        result.UnknownReasons.Should().Equal(
            "exercise: required promise no-loss was not exercised: no send was acknowledged",
            "exercise: required promise no-duplicates was not exercised: nothing was delivered",
            "exercise: required promise only-what-was-sent was not exercised: nothing was delivered or synced",
            "exercise: required promise per-user-ordering was not exercised: no device received two messages and no user had two acknowledged sends with sequence numbers");
        result.Exercise.Values.Should().OnlyContain(e => !e.Exercised);
        result.Exercise.Values.Where(e => e.Required).Select(e => e.Promise).Should().Equal(PromiseNames.Delivery);
    }

    [Fact]
    public void StandardChecks_OneAcknowledgedSendWithNoDeviceSyncOrDrain_IsUnknown()
    {
        var h = new TestHistory().Send("s1", "m1", "u1", 1);

        var result = StandardChecks.Check(h.Events);

        result.Verdict.Should().Be(Verdict.Unknown, "before, it was valid: nothing observed could break any promise");
        result.UnknownReasons.Should().Contain("exercise: required promise no-loss was not exercised: none of the 1 acknowledged send(s) was addressed to a user with a device");
    }

    [Fact]
    public void StandardChecks_NotRequiredPromiseNotExercised_LeavesTheVerdictValid()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1).Send("s1", "m2", "u1", 2);
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d1", "m2", 2);
        h.Sync("u1", "d1", ("m1", 1), ("m2", 2));

        var result = StandardChecks.Check(h.Events);

        result.Verdict.Should().Be(Verdict.Valid);
        result.UnknownReasons.Should().BeEmpty();
        result.Exercise[PromiseNames.JobsExactlyOnce].Should().Be(new PromiseExercise(PromiseNames.JobsExactlyOnce, false, false, "no job was acknowledged"));
        result.Exercise.Values.Where(e => e.Exercised).Select(e => e.Promise).Should().Equal([.. PromiseNames.Delivery, PromiseNames.Availability]);
    }

    [Fact]
    public void Availability_IsExercisedByAttemptsAnsweredOutsideFaults_NotByThoseDuringOne()
    {
        var steady = new TestHistory().Send("s1", "m1", "u1", 1);
        Exercise(steady, PromiseNames.Availability).Should().Be(
            new PromiseExercise(PromiseNames.Availability, true, true, "1 notification send attempt(s) in the steady phase"));

        var duringAFault = new TestHistory();
        duringAFault.Fault("kill", HistoryOps.Fault, 1);
        duringAFault.Send("s1", "m1", "u1", 1);
        Exercise(duringAFault, PromiseNames.Availability).Should().Be(
            new PromiseExercise(PromiseNames.Availability, false, true, "no send or submit was made and answered while no fault was active"));
    }

    [Fact]
    public void StandardChecks_RequiredJobsNotExercised_IsUnknownWithTheReason()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1).Send("s1", "m2", "u1", 2);
        h.Deliver("u1", "d1", "m1", 1);
        h.Deliver("u1", "d1", "m2", 2);
        h.Sync("u1", "d1", ("m1", 1), ("m2", 2));

        var result = StandardChecks.Check(h.Events, new CheckOptions { RequiredPromises = [.. PromiseNames.Delivery, PromiseNames.JobsExactlyOnce] });

        result.Verdict.Should().Be(Verdict.Unknown);
        result.UnknownReasons.Should().Equal("exercise: required promise jobs-exactly-once was not exercised: no job was acknowledged");
        result.Checks[ExerciseCheck.CheckName].Verdict.Should().Be(Verdict.Unknown);
    }

    [Fact]
    public void StandardChecks_BrokenPromiseAndUnexercisedRequiredOne_IsInvalid()
    {
        var h = new TestHistory().Device("u1", "d1").Send("s1", "m1", "u1", 1);
        h.Sync("u1", "d1");

        var result = StandardChecks.Check(h.Events, new CheckOptions { RequiredPromises = PromiseNames.All });

        result.Verdict.Should().Be(Verdict.Invalid, "a definite anomaly outranks what was not exercised");
        result.Anomalies.Keys.Should().Equal(AnomalyNames.Lost);
    }

    [Fact]
    public void StandardChecks_NothingRequired_EmptyHistoryIsValidAndEveryPromiseNotExercised()
    {
        var result = StandardChecks.Check([], new CheckOptions { RequiredPromises = [] });

        result.Verdict.Should().Be(Verdict.Valid);
        result.Exercise.Keys.Should().Equal(PromiseNames.All);
        result.Exercise.Values.Should().OnlyContain(e => !e.Exercised && !e.Required);
    }

    [Fact]
    public void Constructor_UnknownPromise_NamesIt()
    {
        var act = () => new ExerciseCheck(["no-loss", "no-lateness"]);

        act.Should().Throw<ArgumentException>().WithMessage("*'no-lateness' is not a promise*");
    }
}
