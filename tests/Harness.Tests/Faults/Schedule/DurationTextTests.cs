using Chaos.Harness.Faults.Schedule;

namespace Chaos.Harness.Tests.Faults.Schedule;

public sealed class DurationTextTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1h2m3s4ms", 3_723_004)]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    public void Parse_ValidText_GivesDuration(string text, long milliseconds)
    {
        DurationText.Parse(text).Should().Be(TimeSpan.FromMilliseconds(milliseconds));
    }

    [Fact]
    public void Parse_Microseconds_GivesDuration()
    {
        DurationText.Parse("250us").Should().Be(TimeSpan.FromMicroseconds(250));
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("abc")]
    [InlineData("1s1m")]
    [InlineData("1s1s")]
    [InlineData("5x")]
    [InlineData("-1s")]
    [InlineData("1 s")]
    [InlineData("1,5s")]
    [InlineData("99999999999999999999999999h")]
    [InlineData("300000000h")]
    public void TryParse_MalformedText_FailsWithReason(string text)
    {
        DurationText.TryParse(text, out _, out var error).Should().BeFalse();
        error.Should().NotBeNullOrWhiteSpace();
    }

    [Theory]
    [InlineData(90_500, "1m30s500ms")]
    [InlineData(0, "0s")]
    [InlineData(3_600_000, "1h")]
    [InlineData(61_001, "1m1s1ms")]
    public void Format_Duration_GivesCanonicalText(long milliseconds, string expected)
    {
        DurationText.Format(TimeSpan.FromMilliseconds(milliseconds)).Should().Be(expected);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(12_345L)]
    [InlineData(36_000_000_001L)]
    [InlineData(123_456_789_012L)]
    public void Format_ThenParse_RoundTripsEveryTick(long ticks)
    {
        var value = TimeSpan.FromTicks(ticks);

        DurationText.Parse(DurationText.Format(value)).Should().Be(value);
    }
}
