using Chaos.Harness.Deployment;
using Chaos.Reference.Adapter;

namespace Chaos.Reference.Tests.Adapter;

/// <summary>How the reference system meets a scenario's requirements (src/Reference.System/Adapter/ReferenceSystemAdapter.cs).</summary>
public sealed class ReferenceSystemAdapterTests
{
    [Fact]
    public void OptionsFor_NoRequirements_IsTheReferenceSystemsDefaults()
    {
        ReferenceSystemAdapter.OptionsFor(new SystemRequirements()).Should().Be(new ReferenceSystemOptions());
    }

    [Fact]
    public void OptionsFor_InstancesAndTimeouts_AreTheDeploymentsCountsAndMilliseconds()
    {
        var requirements = new SystemRequirements
        {
            ConsumerSessionTimeout = TimeSpan.FromSeconds(4),
            DeviceIdleTimeout = TimeSpan.FromSeconds(8),
        }.WithInstances("gateway", 3).WithInstances("jobs", 1).WithInstances("api", 4).WithInstances("notifier", 5);

        var options = ReferenceSystemAdapter.OptionsFor(requirements);

        options.GatewayInstances.Should().Be(3);
        options.JobsInstances.Should().Be(1);
        options.ApiInstances.Should().Be(4);
        options.NotifierInstances.Should().Be(5);
        options.SessionTimeoutMs.Should().Be(4000);
        options.ClientTimeoutMs.Should().Be(8000);
    }

    [Fact]
    public void CheckRequirements_ARoleTheReferenceSystemLacks_NamesItAndItsRoles()
    {
        var requirements = new SystemRequirements().WithInstances("websocket-server", 2);

        ReferenceSystemAdapter.Instance.Invoking(a => a.CheckRequirements(requirements)).Should().Throw<ArgumentException>()
            .WithMessage("the reference system has no role 'websocket-server' (its roles: api, notifier, gateway, jobs)*");
    }
}
