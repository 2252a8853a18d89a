using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Containers;

namespace Chaos.Harness.Tests.Topology.Containers;

/// <summary>How a node's host command maps into the app image (no Docker needed).</summary>
public sealed class ContainerImageLayoutTests
{
    private static NodeSpec Spec(string fileName) => new() { Name = "n", FileName = fileName };

    [Fact]
    public void Map_ChaosTool_RunsTheImagesCopyWithTheImagesDotnet()
    {
        var mapped = new ContainerImageLayout().Map(Spec("/usr/share/dotnet/dotnet"), ["/home/me/src/bin/chaos.dll", "kafka", "--brokers", "3"]);

        mapped.Command.Should().Equal("dotnet", "/opt/chaos/chaos.dll", "kafka", "--brokers", "3");
        mapped.ReadOnlyMounts.Should().BeEmpty();
    }

    [Fact]
    public void Map_ReferenceSystem_RunsFromTheSutFolderOfTheImage()
    {
        var mapped = new ContainerImageLayout().Map(Spec("dotnet"), ["/x/sut/Reference.System.dll", "--role", "api"]);

        mapped.Command.Should().Equal("dotnet", "/opt/chaos/sut/Reference.System.dll", "--role", "api");
    }

    [Fact]
    public void Map_AnyOtherDll_RunsFromItsHostFolderMountedReadOnly()
    {
        var mapped = new ContainerImageLayout().Map(Spec("/usr/bin/dotnet"), ["/t/probe/Chaos.Probe.dll", "topology-serve"]);

        mapped.Command.Should().Equal("dotnet", "/t/probe/Chaos.Probe.dll", "topology-serve");
        mapped.ReadOnlyMounts.Should().Equal("/t/probe");
    }

    [Fact]
    public void Map_WithMountHostBinaries_RunsTheHostBuildOfTheChaosToolToo()
    {
        var mapped = new ContainerImageLayout { MountHostBinaries = true }.Map(Spec("dotnet"), ["/b/chaos.dll", "kafka"]);

        mapped.Command.Should().Equal("dotnet", "/b/chaos.dll", "kafka");
        mapped.ReadOnlyMounts.Should().Equal("/b");
    }

    [Fact]
    public void Map_NativeExecutable_KeepsItsPathAndMountsItsFolder()
    {
        var mapped = new ContainerImageLayout().Map(Spec("/opt/tools/toxiproxy-server"), ["-port", "8474"]);

        mapped.Command.Should().Equal("/opt/tools/toxiproxy-server", "-port", "8474");
        mapped.ReadOnlyMounts.Should().Equal("/opt/tools");
    }

    [Theory]
    [InlineData("processes", TopologyKind.Processes)]
    [InlineData("Containers", TopologyKind.Containers)]
    public void TryParse_KnownNames_AreAccepted(string text, TopologyKind expected)
    {
        TopologyFactory.TryParse(text, out var kind).Should().BeTrue();
        kind.Should().Be(expected);
    }

    [Theory]
    [InlineData("vms")]
    [InlineData("1")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_AnythingElse_IsRefused(string? text) => TopologyFactory.TryParse(text, out _).Should().BeFalse();
}
