using Chaos.Harness.Topology;

namespace Chaos.Harness.Tests.Topology;

public sealed class NodeSpecTests
{
    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("../escape")]
    public void Validate_BadName_NamesTheField(string name)
    {
        var act = () => new NodeSpec { Name = name, FileName = "dotnet" }.Validate();

        act.Should().Throw<TopologyConfigurationException>().Which.Field.Should().Be("Name");
    }

    [Fact]
    public void Validate_NonPositiveStartupTimeout_NamesTheField()
    {
        var act = () => new NodeSpec { Name = "a", FileName = "dotnet", StartupTimeout = TimeSpan.Zero }.Validate();

        act.Should().Throw<TopologyConfigurationException>().Which.Field.Should().Be("StartupTimeout");
    }

    [Fact]
    public void For_Command_PrependsItsArguments()
    {
        var spec = NodeSpec.For("k", "kafka", new LaunchCommand("dotnet", ["/x/chaos.dll"]), "kafka", "--brokers", "3");

        spec.FileName.Should().Be("dotnet");
        spec.Arguments.Should().Equal("/x/chaos.dll", "kafka", "--brokers", "3");
        spec.Role.Should().Be("kafka");
    }
}
