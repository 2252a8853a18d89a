using Chaos.Harness.Checkers;
using Chaos.Testing;
using FluentAssertions;

namespace Chaos.SampleTests;

/// <summary>
/// Chaos tests as a user writes them in their own test project: a run described with Chaos.Testing's builder, run by
/// the installed <c>chaos</c> tool (<c>CHAOS_TOOL</c>, else <c>chaos</c> on the PATH) against the reference system it
/// carries, and asserted on — the promises, an expected anomaly, a latency bound. Each run's folder goes under
/// <c>CHAOS_REPORTS</c> (else the temporary folder) and is attached to its test's result.
/// </summary>
public sealed class ReferenceSystemChaosTests
{
    /// <summary>What every run here shares: a light load, for a shared CI machine, and a bound on its time.</summary>
    private static ChaosRunBuilder Light(string scenario) =>
        ChaosRunBuilder.Scenario(scenario).WithLoad(rate: 30, users: 10).WithTimeout(TimeSpan.FromMinutes(4));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Steady_state_keeps_every_promise_and_its_latency_bound()
    {
        var result = await Light("steady-state").WithSeed(1).WithDuration(TimeSpan.FromSeconds(5)).RunAsync(Ct);

        // a p99 bound of our own, loose enough for a shared CI machine at this light load
        result.Should().HoldEveryPromise().And.HaveNo(AnomalyNames.Duplicate).And.KeepP99(LatencyThreshold.Steady, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Websocket_cuts_lose_nothing_and_duplicate_nothing()
    {
        await using var run = await Light("websocket-cut").WithSeed(2).WithDuration(TimeSpan.FromSeconds(12)).StartAsync(Ct);
        var result = await run.WaitAsync(Ct);

        result.Should().HoldEveryPromise().And.HaveNo(AnomalyNames.Lost).And.HaveNo(AnomalyNames.Duplicate);
    }

    [Fact]
    public async Task Replayed_events_without_dedupe_are_caught_as_duplicates()
    {
        // the reference system's no-dedupe defect switch: the notifier does not deduplicate replayed records
        var result = await Light("duplicate-replay")
            .WithSeed(1).WithDuration(TimeSpan.FromSeconds(8)).WithDefect("no-dedupe").RunAsync(Ct);

        result.ExitCode.Should().Be(1, "a broken promise is exit 1: " + result.Output);
        result.Should().Have(AnomalyNames.Duplicate);
        var held = () => result.Should().HaveNo(AnomalyNames.Duplicate);
        held.Should().Throw<Exception>().WithMessage("*duplicate ×*reproduce*chaos run duplicate-replay --seed 1*--defect no-dedupe*");
    }
}
