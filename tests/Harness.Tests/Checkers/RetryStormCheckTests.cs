using Chaos.Harness.Checkers;

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
    public void Check_AttemptBeyondBudget_IsRetryStorm()
    {
        var h = new TestHistory();
        var attempts = new List<long>();
        for (var i = 1; i <= 5; i++)
        {
            attempts.Add(h.Attempt("j1", i, i * 10_000));
        }

        var result = new RetryStormCheck(Policy).Check(h.Events);

        // spaced 10 s apart (inside the envelope): only the fifth attempt, beyond the budget of 4, is a storm
        result.ShouldHaveExactly(new ExpectedAnomaly(AnomalyNames.RetryStorm, 1, [attempts[4]]));
        result.Anomalies[AnomalyNames.RetryStorm].Examples[0].Explanation.Should().Be("job j1 made attempt 5, beyond the retry budget of 4");
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
}
