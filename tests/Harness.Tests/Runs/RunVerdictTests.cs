using Chaos.Harness.Checkers;
using Chaos.Harness.Runs;

namespace Chaos.Harness.Tests.Runs;

/// <summary>How a run's own problems combine with the checkers' verdict: never a vacuous pass, never a hidden failure.</summary>
public sealed class RunVerdictTests
{
    private static readonly CheckResult Valid = new(Verdict.Valid, new Dictionary<string, Anomaly>(), [], new Dictionary<string, long>());

    private static readonly CheckResult Invalid = new(
        Verdict.Invalid,
        new Dictionary<string, Anomaly> { [AnomalyNames.Lost] = new(AnomalyNames.Lost, 3, [new AnomalyExample([7], "m-1 acknowledged, never delivered")]) },
        [],
        new Dictionary<string, long>());

    [Fact]
    public void A_run_carried_out_as_planned_keeps_the_checkers_verdict()
    {
        RunVerdict.Settle(Valid, null, []).Should().BeSameAs(Valid);
        RunVerdict.Settle(Invalid, null, []).Should().BeSameAs(Invalid);
    }

    [Fact]
    public void Faults_that_did_not_take_effect_turn_valid_into_unknown_with_the_reason()
    {
        var settled = RunVerdict.Settle(Valid, null, ["the faults did not take effect: failpoint never reached"]);

        settled.Verdict.Should().Be(Verdict.Unknown);
        settled.UnknownReasons.Should().ContainSingle().Which.Should().Contain("failpoint never reached");
    }

    [Fact]
    public void Anomalies_of_a_run_whose_faults_did_not_all_take_effect_are_still_a_broken_promise()
    {
        var settled = RunVerdict.Settle(Invalid, null, ["the faults did not take effect: failpoint never reached"]);

        settled.Verdict.Should().Be(Verdict.Invalid);
        settled.Count(AnomalyNames.Lost).Should().Be(3);
        settled.UnknownReasons.Should().ContainSingle().Which.Should().Contain("failpoint never reached");
    }

    [Fact]
    public void A_failed_or_aborted_run_is_unknown_even_with_anomalies_which_stay_as_evidence()
    {
        var settled = RunVerdict.Settle(Invalid, "run aborted during fault", ["the final drain did not finish within 60s"]);

        settled.Verdict.Should().Be(Verdict.Unknown);
        settled.Count(AnomalyNames.Lost).Should().Be(3);
        settled.UnknownReasons.Should().Equal("run aborted during fault", "the final drain did not finish within 60s");
        RunVerdict.Settle(Valid, "run aborted during fault", []).Verdict.Should().Be(Verdict.Unknown);
    }
}
