using Chaos.Reference.Api;
using Microsoft.Extensions.Time.Testing;

namespace Chaos.Reference.Tests.Api;

/// <summary>The recipient-row token bucket, on a fake clock.</summary>
public sealed class FanoutLimiterTests
{
    [Fact]
    public void TryAcquire_PastTheBudget_RefusesWithRetryAfter_AndRecoversAsTimePasses()
    {
        var time = new FakeTimeProvider();
        var limiter = new FanoutLimiter(100, time);

        limiter.TryAcquire(60, out _).Should().BeTrue("the burst is one second's worth: 100 rows");
        limiter.TryAcquire(40, out _).Should().BeTrue();
        limiter.TryAcquire(10, out var wait).Should().BeFalse("the bucket is empty");
        wait.Should().BeCloseTo(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(1), "10 rows at 100 rows/s");

        time.Advance(TimeSpan.FromMilliseconds(50));
        limiter.TryAcquire(10, out wait).Should().BeFalse("5 rows came back, not 10");
        wait.Should().BeCloseTo(TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(1));

        time.Advance(TimeSpan.FromMilliseconds(50));
        limiter.TryAcquire(10, out _).Should().BeTrue();
        limiter.TryAcquire(1, out _).Should().BeFalse("a refused request took nothing, an admitted one took its rows");

        time.Advance(TimeSpan.FromSeconds(10));
        limiter.TryAcquire(100, out _).Should().BeTrue("refills up to the burst");
        limiter.TryAcquire(1, out _).Should().BeFalse("and no further");
    }

    [Fact]
    public void TryAcquire_MoreRecipientsThanTheBurst_AdmittedWhenFull_ThenTheDebtIsPaidOff()
    {
        var time = new FakeTimeProvider();
        var limiter = new FanoutLimiter(100, time);

        limiter.TryAcquire(300, out _).Should().BeTrue("a group larger than the burst is slowed, not refused forever");
        limiter.TryAcquire(1, out var wait).Should().BeFalse("it left the bucket 200 rows in debt");
        wait.Should().BeCloseTo(TimeSpan.FromSeconds(2.01), TimeSpan.FromMilliseconds(1));

        time.Advance(TimeSpan.FromSeconds(2));
        limiter.TryAcquire(1, out _).Should().BeFalse("the debt is paid off, nothing earned yet");
        time.Advance(TimeSpan.FromSeconds(1));
        limiter.TryAcquire(100, out _).Should().BeTrue();
    }

    [Fact]
    public void Release_RowsOfAWriteThatWroteNone_AreAvailableAgain_UpToTheBurst()
    {
        var time = new FakeTimeProvider();
        var limiter = new FanoutLimiter(100, time);

        limiter.TryAcquire(100, out _).Should().BeTrue();
        limiter.Release(40);
        limiter.TryAcquire(40, out _).Should().BeTrue("the 40 rows given back");
        limiter.TryAcquire(1, out _).Should().BeFalse();

        limiter.Release(1_000);
        limiter.TryAcquire(100, out _).Should().BeTrue();
        limiter.TryAcquire(1, out _).Should().BeFalse("giving back never fills past the burst");
    }

    [Fact]
    public void TryAcquire_RateZero_IsOff()
    {
        var limiter = new FanoutLimiter(0, new FakeTimeProvider());
        limiter.Enabled.Should().BeFalse();
        var admitted = Enumerable.Range(0, 1000).Count(_ => limiter.TryAcquire(10_000, out var wait) && wait == TimeSpan.Zero);
        admitted.Should().Be(1000);
    }
}
