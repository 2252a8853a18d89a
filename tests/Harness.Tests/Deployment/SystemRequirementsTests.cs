using Chaos.Harness.Deployment;

namespace Chaos.Harness.Tests.Deployment;

public sealed class SystemRequirementsTests
{
    [Fact]
    public void WithInstances_AddsOrReplacesOneRole_AndLeavesTheOriginalAlone()
    {
        var first = new SystemRequirements().WithInstances("gateway", 3);
        var second = first.WithInstances("notifier", 2).WithInstances("gateway", 4);

        first.Instances.Should().Equal(new Dictionary<string, int> { ["gateway"] = 3 });
        second.Instances.Should().BeEquivalentTo(new Dictionary<string, int> { ["gateway"] = 4, ["notifier"] = 2 });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(SystemRequirements.MaxInstances + 1)]
    public void Validate_AnInstanceCountOutOfRange_NamesTheRoleAndTheCount(int count)
    {
        var requirements = new SystemRequirements().WithInstances("gateway", count);

        requirements.Invoking(r => r.Validate()).Should().Throw<ArgumentException>()
            .Where(e => e.Message.Contains("gateway", StringComparison.Ordinal) && e.Message.Contains($"was {count}", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ASubSecondTimeout_NamesIt()
    {
        var requirements = new SystemRequirements { DeviceIdleTimeout = TimeSpan.FromMilliseconds(500) };

        requirements.Invoking(r => r.Validate()).Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == nameof(SystemRequirements.DeviceIdleTimeout) && e.Message.Contains("was 500 ms", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_NoRequirements_Passes()
    {
        new SystemRequirements().Invoking(r => r.Validate()).Should().NotThrow();
    }
}
