using Chaos.Harness.Deployment;
using Chaos.Reference.Adapter;
using Chaos.Scenarios.Catalog;

namespace Chaos.Scenarios.Tests.Catalog;

/// <summary>
/// websocket-cut on any system's shape (docs/scenarios.md): it asks for two instances of whichever role serves devices
/// and draws its cuts and crash on those nodes — on the reference system its gateways, exactly as before.
/// </summary>
public sealed class WebSocketCutScenarioTests
{
    private static readonly TimeSpan Phase = TimeSpan.FromSeconds(30);
    private static readonly WebSocketCutScenario Cut = (WebSocketCutScenario)ScenarioCatalog.Find("websocket-cut")!;

    [Fact]
    public void On_the_reference_system_it_asks_for_two_gateways_and_draws_the_schedule_it_always_drew()
    {
        var requirements = Cut.ConfigureSystem(new SystemRequirements());
        var shape = ReferenceSystemAdapter.Instance.ShapeFor(requirements);

        requirements.DeviceInstances.Should().Be(2);
        shape.NodesOf("gateway").Should().Equal("gateway-1", "gateway-2");
        for (var seed = 1L; seed <= 20; seed++)
        {
            Cut.BuildSchedule(seed, Phase, shape).Should().BeEquivalentTo(Cut.BuildSchedule(seed, Phase), $"seed {seed}: the shape changes nothing on the reference system");
        }
    }

    [Fact]
    public void On_a_system_whose_devices_connect_to_another_role_it_cuts_and_crashes_that_roles_nodes()
    {
        var shape = new SystemShape
        {
            Roles = new Dictionary<string, IReadOnlyList<string>> { ["web"] = ["web-1"], ["edge"] = ["edge-1", "edge-2"] },
            DeviceRole = "edge",
        };

        var schedule = Cut.BuildSchedule(7, Phase, shape);

        schedule.Entries.Select(e => e.Target).Distinct().Should().BeEquivalentTo(["edge-1", "edge-2"]);
        schedule.Entries.Should().Contain(e => e.Fault == ProxyFaultFactory.Crash);
        Cut.CatalogueOn(shape).TargetsOf(ProxyFaultFactory.Crash).Should().Equal("edge-1", "edge-2");
        FluentActions.Invoking(() => Cut.BuildSchedule(7, Phase, shape with { Roles = new Dictionary<string, IReadOnlyList<string>> { ["edge"] = ["edge-1"] } }))
            .Should().Throw<ArgumentException>().WithMessage("websocket-cut needs two instances of the device role edge, the deployment has 1*");
    }

    [Fact]
    public void A_count_for_the_gateways_by_name_must_agree_with_the_device_roles()
    {
        var requirements = new SystemRequirements { DeviceInstances = 2 }.WithInstances("gateway", 3);

        FluentActions.Invoking(() => ReferenceSystemAdapter.Instance.ShapeFor(requirements)).Should().Throw<ArgumentException>()
            .WithMessage("the scenario asks for 3 gateway instances and 2 instances of the device role, which is the gateway*");
        FluentActions.Invoking(() => new SystemRequirements { DeviceInstances = 17 }.Validate()).Should().Throw<ArgumentException>()
            .WithMessage("instances of the device role must be within 1..16, was 17*");
    }
}
