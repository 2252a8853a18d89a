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

        new RetryStormCheck(Policy).Check(h.Events).Verdict.Should().Be(Verdict.Valid);
    }

    [Fact]
    public void Check_RetryFasterThanPolicy_IsRetryStorm()
    {
        var h = new TestHistory();
        var first = h.Attempt("j1", 1, 0);
        var second = h.Attempt("j1", 2, 10);

        var result = new RetryStormCheck(Policy).Check(h.Events);

        result.Count(AnomalyNames.RetryStorm).Should().Be(1);
        result.Anomalies[AnomalyNames.RetryStorm].Examples[0].Events.Should().Equal(first, second);
    }

    [Fact]
    public void Check_AttemptBeyondBudget_IsRetryStorm()
    {
        var h = new TestHistory();
        for (var i = 1; i <= 5; i++)
        {
            h.Attempt("j1", i, i * 10_000);
        }

        var result = new RetryStormCheck(Policy).Check(h.Events);

        result.Count(AnomalyNames.RetryStorm).Should().Be(1);
        result.Anomalies[AnomalyNames.RetryStorm].Examples[0].Explanation.Should().Contain("budget");
    }

    [Fact]
    public void Check_ManyJobsRetryingInTheSameInstant_IsRetryStorm()
    {
        var h = new TestHistory();
        for (var i = 0; i < 12; i++)
        {
            h.Attempt($"j{i}", 1, 0);
        }

        for (var i = 0; i < 12; i++)
        {
            h.Attempt($"j{i}", 2, 100);
        }

        var result = new RetryStormCheck().Check(h.Events);

        result.Count(AnomalyNames.RetryStorm).Should().Be(1, "one cluster of synchronised retries");
        result.Anomalies[AnomalyNames.RetryStorm].Examples[0].Events.Should().HaveCount(12);
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

        new RetryStormCheck().Check(h.Events).Verdict.Should().Be(Verdict.Valid);
    }

    [Fact]
    public void Constructor_BadEnvelope_NamesTheField()
    {
        var act = () => new RetryStormCheck(new RetryEnvelope { Jitter = 2 });

        act.Should().Throw<ArgumentException>().WithMessage("*Jitter*");
    }
}
