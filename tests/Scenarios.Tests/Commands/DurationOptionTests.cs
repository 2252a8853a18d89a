using Chaos.Scenarios.Commands;

namespace Chaos.Scenarios.Tests.Commands;

/// <summary>Duration options: "0 for none" where the help says so (--ramp, --idle), positive elsewhere.</summary>
public sealed class DurationOptionTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData(" 0 ", 0)]
    [InlineData("0s", 0)]
    [InlineData("0ms", 0)]
    [InlineData("1500ms", 1500)]
    [InlineData("2s", 2000)]
    public void An_option_with_0_for_none_takes_zero_and_any_duration(string text, int milliseconds) =>
        RunCommand.DurationOrNone(text, "--ramp").Should().Be(TimeSpan.FromMilliseconds(milliseconds));

    [Theory]
    [InlineData("-1s")]
    [InlineData("soon")]
    [InlineData("99999999999999999999999999h")]
    [InlineData("")]
    public void An_option_with_0_for_none_refuses_what_is_not_a_duration_naming_the_option(string text) =>
        FluentActions.Invoking(() => RunCommand.DurationOrNone(text, "--ramp")).Should().Throw<UsageException>()
            .WithMessage($"--ramp '{text}' is not a duration*");

    [Theory]
    [InlineData("0")]
    [InlineData("0s")]
    public void A_duration_that_must_be_positive_still_refuses_zero(string text) =>
        FluentActions.Invoking(() => RunCommand.Duration(text, "--warmup")).Should().Throw<UsageException>()
            .WithMessage($"--warmup '{text}' is not a positive duration*");

    [Fact]
    public void No_text_means_the_default() =>
        RunCommand.DurationOrNone(null, "--ramp").Should().BeNull();
}
