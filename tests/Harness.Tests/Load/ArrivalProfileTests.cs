using Chaos.Harness.Load;

namespace Chaos.Harness.Tests.Load;

public sealed class ArrivalProfileTests
{
    [Fact]
    public void Constant_TenPerSecondForTwoSeconds_GivesTwentyEvenlySpacedStarts()
    {
        var starts = ArrivalProfile.Constant(10, TimeSpan.FromSeconds(2)).IntendedStarts(seed: 1).ToList();

        starts.Should().HaveCount(20);
        starts.Should().Equal(Enumerable.Range(0, 20).Select(i => TimeSpan.FromMilliseconds(100 * i)));
    }

    [Fact]
    public void Constant_HighRate_GivesExactCount()
    {
        var profile = ArrivalProfile.Constant(20_000, TimeSpan.FromSeconds(10));

        profile.IntendedStarts(7).LongCount().Should().Be(200_000);
        profile.MeanRate.Should().Be(20_000);
    }

    [Fact]
    public void Ramp_ZeroToHundredOverTenSeconds_PutsQuarterInFirstHalf()
    {
        var starts = ArrivalProfile.Ramp(0, 100, TimeSpan.FromSeconds(10)).IntendedStarts(1).ToList();

        // Cumulative count of a linear ramp: 100·t²/20, so 125 before 5 s and 500 in all.
        starts.Should().HaveCount(500);
        starts.Count(t => t < TimeSpan.FromSeconds(5)).Should().BeInRange(124, 126);
        starts.Should().BeInAscendingOrder();
        starts[^1].Should().BeLessThan(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void Ramp_Down_PutsMostArrivalsEarly()
    {
        var starts = ArrivalProfile.Ramp(100, 0, TimeSpan.FromSeconds(10)).IntendedStarts(1).ToList();

        starts.Should().HaveCount(500);
        starts.Count(t => t < TimeSpan.FromSeconds(5)).Should().BeInRange(374, 376);
    }

    [Fact]
    public void Spike_BurstAtFourSeconds_HasBurstRateOnlyInsideBurst()
    {
        var profile = ArrivalProfile.Spike(
            10,
            TimeSpan.FromSeconds(10),
            [new SpikeBurst(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(1), 1_000)]);

        var starts = profile.IntendedStarts(1).ToList();

        starts.Should().HaveCount(1_090);
        starts.Count(t => t >= TimeSpan.FromSeconds(4) && t < TimeSpan.FromSeconds(5)).Should().Be(1_000);
        starts.Count(t => t < TimeSpan.FromSeconds(1)).Should().Be(10);
        profile.RateAt(TimeSpan.FromSeconds(4.5)).Should().Be(1_000);
        profile.RateAt(TimeSpan.FromSeconds(6)).Should().Be(10);
    }

    [Fact]
    public void Random_SameSeed_GivesSameStarts()
    {
        var profile = ArrivalProfile.Random(1_000, TimeSpan.FromSeconds(5));

        profile.IntendedStarts(42).Should().Equal(profile.IntendedStarts(42));
    }

    [Fact]
    public void Random_DifferentSeeds_GiveDifferentStarts()
    {
        var profile = ArrivalProfile.Random(1_000, TimeSpan.FromSeconds(5));

        profile.IntendedStarts(1).Should().NotEqual(profile.IntendedStarts(2));
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(2L)]
    [InlineData(3L)]
    public void Random_ManySeeds_HaveMeanRateAndExponentialGaps(long seed)
    {
        var starts = ArrivalProfile.Random(10_000, TimeSpan.FromSeconds(1)).IntendedStarts(seed).ToList();
        var gaps = starts.Zip(starts.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
        var mean = gaps.Average();
        var deviation = Math.Sqrt(gaps.Sum(g => (g - mean) * (g - mean)) / gaps.Count);

        // Poisson count: mean 10,000, standard deviation 100; 5 % is 5 sigma.
        starts.Count.Should().BeInRange(9_500, 10_500);
        starts.Should().BeInAscendingOrder();
        mean.Should().BeApproximately(1e-4, 1e-5);

        // An exponential's standard deviation equals its mean (evenly spaced arrivals would give 0).
        (deviation / mean).Should().BeInRange(0.9, 1.1);
    }

    [Fact]
    public void WithPoissonArrivals_Ramp_FollowsTheRampShape()
    {
        var starts = ArrivalProfile.Ramp(0, 2_000, TimeSpan.FromSeconds(10)).WithPoissonArrivals().IntendedStarts(5).ToList();

        starts.Count.Should().BeInRange(9_500, 10_500);
        starts.Count(t => t < TimeSpan.FromSeconds(5)).Should().BeInRange(2_250, 2_750);
    }

    [Fact]
    public void Uniform_IgnoresSeed()
    {
        var profile = ArrivalProfile.Ramp(5, 50, TimeSpan.FromSeconds(3));

        profile.IntendedStarts(1).Should().Equal(profile.IntendedStarts(99));
    }

    [Fact]
    public void Stages_RampHoldRampDown_CountsEachStage()
    {
        var profile = ArrivalProfile.Stages(
            new RateSegment(TimeSpan.FromSeconds(2), 0, 100),
            new RateSegment(TimeSpan.FromSeconds(3), 100, 100),
            new RateSegment(TimeSpan.FromSeconds(2), 100, 0));

        var starts = profile.IntendedStarts(1).ToList();

        starts.Should().HaveCount(500);
        starts.Count(t => t < TimeSpan.FromSeconds(2)).Should().Be(100);
        starts.Count(t => t >= TimeSpan.FromSeconds(2) && t < TimeSpan.FromSeconds(5)).Should().Be(300);
        profile.Duration.Should().Be(TimeSpan.FromSeconds(7));
        profile.RateAt(TimeSpan.FromSeconds(1)).Should().BeApproximately(50, 1e-9);
    }

    [Fact]
    public void IntendedStarts_HugeProfile_IsLazy()
    {
        var profile = ArrivalProfile.Constant(1_000_000, TimeSpan.FromHours(10));

        profile.IntendedStarts(1).Take(3).Should().Equal(TimeSpan.Zero, TimeSpan.FromMicroseconds(1), TimeSpan.FromMicroseconds(2));
    }

    [Fact]
    public void Constant_NegativeRate_ThrowsNamingRate()
    {
        var act = () => ArrivalProfile.Constant(-1, TimeSpan.FromSeconds(1));

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("rate");
    }

    [Fact]
    public void Constant_ZeroDuration_ThrowsNamingDuration()
    {
        var act = () => ArrivalProfile.Constant(10, TimeSpan.Zero);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("duration");
    }

    [Fact]
    public void Spike_OverlappingBursts_Throws()
    {
        var act = () => ArrivalProfile.Spike(
            10,
            TimeSpan.FromSeconds(10),
            [new SpikeBurst(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 100), new SpikeBurst(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1), 100)]);

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("bursts");
    }
}
