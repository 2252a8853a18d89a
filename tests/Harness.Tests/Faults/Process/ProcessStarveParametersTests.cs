using Chaos.Harness.Faults.Process;
using Chaos.Harness.Faults.Schedule;

namespace Chaos.Harness.Tests.Faults.Process;

/// <summary>process-starve's schedule parameters: defaults, both spellings of a share, and every bad value named.</summary>
public sealed class ProcessStarveParametersTests
{
    private static FaultScheduleEntry Entry(params (string Key, string Value)[] parameters) =>
        new(TimeSpan.Zero, ProcessFaultNames.Starve, "notifier-1", TimeSpan.FromSeconds(5), parameters.ToDictionary(p => p.Key, p => p.Value));

    [Theory]
    [InlineData(null, null, 0.2, 100)]
    [InlineData("35%", null, 0.35, 100)]
    [InlineData("0.05", "250ms", 0.05, 250)]
    [InlineData("90%", "10s", 0.9, 10_000)]
    public void Share_and_period_are_read_with_their_defaults(string? share, string? period, double expectedShare, int expectedPeriodMs)
    {
        var parameters = new List<(string, string)>();
        if (share is not null)
        {
            parameters.Add(("share", share));
        }

        if (period is not null)
        {
            parameters.Add(("period", period));
        }

        ProcessFaultFactory.Validate(Entry([.. parameters]));
        var (actualShare, actualPeriod) = ProcessFaultFactory.StarveParameters(Entry([.. parameters]));

        actualShare.Should().BeApproximately(expectedShare, 1e-9);
        actualPeriod.Should().Be(TimeSpan.FromMilliseconds(expectedPeriodMs));
    }

    [Theory]
    [InlineData("share", "0", "parameters.share:*1%..90%*process-pause*")]
    [InlineData("share", "95%", "parameters.share:*")]
    [InlineData("share", "a lot", "parameters.share:*not a fraction*")]
    [InlineData("share", "NaN", "parameters.share:*")]
    [InlineData("share", "Infinity%", "parameters.share:*")]
    [InlineData("period", "5ms", "parameters.period:*20ms..10s*")]
    [InlineData("period", "1m", "parameters.period:*")]
    [InlineData("period", "soon", "parameters.period:*")]
    [InlineData("signal", "9", "parameters.signal:*unknown process-starve parameter*share, period*")]
    public void A_bad_parameter_is_an_error_naming_it(string key, string value, string message)
    {
        var act = () => ProcessFaultFactory.Validate(Entry((key, value)));

        act.Should().Throw<ArgumentException>().WithMessage(message);
    }
}
