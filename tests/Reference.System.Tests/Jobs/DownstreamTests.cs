using System.Diagnostics;
using Chaos.Reference.Jobs;

namespace Chaos.Reference.Tests.Jobs;

/// <summary>The in-process simulated dependency (Polly's chaos strategies): its failure rate, its latency, its seed.</summary>
public sealed class DownstreamTests
{
    private static readonly DownstreamCall Call = new("j1", "tx-1", "acc-1", 10, 1, "jobs-1");

    [Fact]
    public async Task Fails_every_call_at_rate_1_and_none_at_rate_0_and_follows_a_rate_set_at_run_time()
    {
        var ct = TestContext.Current.CancellationToken;
        var downstream = new Downstream(1, 0, 7, TimeProvider.System);

        var failing = () => downstream.CallAsync(Call, ct);
        await failing.Should().ThrowAsync<TransientDownstreamException>().WithMessage("*simulated 503*");
        downstream.Configure(0, null);
        await failing.Should().NotThrowAsync();
        downstream.Configure(5, -3);
        (downstream.FailureRate, downstream.LatencyMs).Should().Be((1.0, 0), "settings are clamped to a rate and a non-negative latency");
    }

    [Fact]
    public async Task At_rate_one_half_about_half_fail_and_the_same_seed_fails_the_same_calls()
    {
        var first = await OutcomesAsync(seed: 7);
        var again = await OutcomesAsync(seed: 7);
        var other = await OutcomesAsync(seed: 8);

        first.Count(failed => failed).Should().BeInRange(60, 140);
        again.Should().Equal(first, "the draws come from the process seed");
        other.Should().NotEqual(first);
    }

    [Fact]
    public async Task Waits_the_latency_before_answering()
    {
        var downstream = new Downstream(0, 120, 7, TimeProvider.System);
        var clock = Stopwatch.StartNew();

        await downstream.CallAsync(Call, TestContext.Current.CancellationToken);

        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(110));
    }

    private static async Task<List<bool>> OutcomesAsync(int seed)
    {
        var downstream = new Downstream(0.5, 0, seed, TimeProvider.System);
        var outcomes = new List<bool>();
        for (var i = 0; i < 200; i++)
        {
            try
            {
                await downstream.CallAsync(Call, TestContext.Current.CancellationToken);
                outcomes.Add(false);
            }
            catch (TransientDownstreamException)
            {
                outcomes.Add(true);
            }
        }

        return outcomes;
    }
}
