using Chaos.Harness.Workload;

namespace Chaos.Harness.Tests.Workload;

/// <summary>The senders' retry settings are bounded, and each refusal names its field.</summary>
public sealed class ChatWorkloadOptionsTests
{
    [Theory]
    [InlineData(-1, 500, "RetryUnknownSends", "retries of unknown sends must be within 0..5, was -1*")]
    [InlineData(6, 500, "RetryUnknownSends", "retries of unknown sends must be within 0..5, was 6*")]
    [InlineData(1, -1, "RetryDelay", "retry delay must be within 0..30 s, was -00:00:00.0010000*")]
    [InlineData(1, 30_001, "RetryDelay", "retry delay must be within 0..30 s, was 00:00:30.0010000*")]
    public void Validate_RetriesOutOfBounds_AreRefusedNamingTheField(int retries, int delayMs, string field, string message)
    {
        var options = new ChatWorkloadOptions { RetryUnknownSends = retries, RetryDelay = TimeSpan.FromMilliseconds(delayMs) };

        var act = options.Validate;

        act.Should().Throw<ArgumentException>().WithMessage(message).Which.ParamName.Should().Be(field);
    }

    [Fact]
    public void Defaults_NeverRetry_AndOneToFiveRetriesAreAccepted()
    {
        new ChatWorkloadOptions().RetryUnknownSends.Should().Be(0, "an info stays the plain Jepsen unknown unless a scenario asks");
        for (var retries = 0; retries <= 5; retries++)
        {
            var options = new ChatWorkloadOptions { RetryUnknownSends = retries };
            options.Invoking(o => o.Validate()).Should().NotThrow();
        }
    }
}
