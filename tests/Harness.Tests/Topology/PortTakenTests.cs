using System.Globalization;
using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Processes;
using static Chaos.Harness.Tests.Topology.TopologyTestSupport;

namespace Chaos.Harness.Tests.Topology;

/// <summary>
/// A port the topology probed free and handed to a node can be bound by another program before the node binds it
/// (docs/topology.md, "Ports"). The probe's --port-taken-starts binds the node's port with a second socket before the
/// node's own listen, so the node meets the kernel's real EADDRINUSE, as it would in that race.
/// </summary>
public sealed class PortTakenTests
{
    [Fact(Timeout = 60_000)]
    public async Task Launch_NodeWhosePortWasTaken_StartsAgainOnAFreshPort()
    {
        var portLog = Path.Combine(NewTempDirectory("ports"), "ports.log");
        await using var topology = new ProcessTopology(Options());

        var node = await topology.LaunchAsync(PortSpec("taken-once", portLog, takenStarts: 1), TestContext.Current.CancellationToken);

        var ports = await PortsTriedAsync(portLog);
        ports.Should().HaveCount(2, "the first start lost its port and the launch started the node once more");
        ports[1].Should().NotBe(ports[0], "the second start is given a freshly probed port");
        node.Ports["endpoint"].Should().Be(ports[1]);
        node.Endpoint!.Port.Should().Be(ports[1], "the node listens on the port of the start that succeeded");
        (await File.ReadAllTextAsync(node.LogPath, TestContext.Current.CancellationToken))
            .Should().Contain("Address already in use", "the node's log keeps the first start's failure");
    }

    [Fact(Timeout = 60_000)]
    public async Task Launch_NodeWhosePortIsTakenEveryTime_FailsAfterTheBoundedAttemptsNamingTheError()
    {
        var portLog = Path.Combine(NewTempDirectory("ports"), "ports.log");
        await using var topology = new ProcessTopology(Options());

        var act = () => topology.LaunchAsync(PortSpec("taken-always", portLog, takenStarts: 99), TestContext.Current.CancellationToken);

        var failure = (await act.Should().ThrowAsync<NodeExitedDuringStartupException>()).Which;
        failure.Message.Should().Contain("Address already in use");
        (await PortsTriedAsync(portLog)).Should().HaveCount(3, "a launch tries three sets of ports, no more").And.OnlyHaveUniqueItems();
        topology.Nodes.Should().BeEmpty("a failed launch leaves no node behind");
    }

    [Fact(Timeout = 60_000)]
    public async Task Launch_NodeFailingForAnotherReason_IsNotStartedAgain()
    {
        await using var topology = new ProcessTopology(Options());
        var spec = Serve("fails", "--exit-after-ms", "0", "--port", "{port}");

        var act = () => topology.LaunchAsync(spec, TestContext.Current.CancellationToken);

        var failure = (await act.Should().ThrowAsync<NodeExitedDuringStartupException>()).Which;
        failure.LogTail.Count(l => l.Contains("starting pid", StringComparison.Ordinal)).Should().Be(1);
        var log = await File.ReadAllLinesAsync(Path.Combine(topology.LogDirectory, "fails.log"), TestContext.Current.CancellationToken);
        log.Count(l => l.Contains("starting pid", StringComparison.Ordinal)).Should().Be(1, "only a port taken before the bind is retried");
    }

    [Fact]
    public void Allocate_OnLinux_DrawsFromBelowTheEphemeralRange()
    {
        Assert.SkipUnless(File.Exists("/proc/sys/net/ipv4/ip_local_port_range"), "no /proc/sys/net/ipv4/ip_local_port_range (not Linux)");
        var start = PortAllocator.EphemeralStart("/proc/sys/net/ipv4/ip_local_port_range");
        start.Should().NotBeNull();

        var ports = Enumerable.Range(0, 20).Select(_ => PortAllocator.Allocate()).ToList();

        ports.Should().OnlyHaveUniqueItems().And.OnlyContain(p => p >= PortAllocator.Floor && p < start!.Value,
            "an outgoing connection is never given a local port below the ephemeral range, so it cannot take one of these");
    }

    [Theory]
    [InlineData("32768\t60999\n", 32768)]
    [InlineData("1024 65535", 1024)]
    [InlineData("", null)]
    [InlineData("many words here", null)]
    [InlineData("70000\t80000", null)]
    public void EphemeralStart_ReadsTheFirstPortOfTheRange(string text, int? expected)
    {
        var file = Path.Combine(NewTempDirectory("range"), "ip_local_port_range");
        File.WriteAllText(file, text);

        PortAllocator.EphemeralStart(file).Should().Be(expected);
        PortAllocator.EphemeralStart(file + ".absent").Should().BeNull();
    }

    private static NodeSpec PortSpec(string name, string portLog, int takenStarts) =>
        Serve(name, "--port", "{port}", "--port-log", portLog, "--port-taken-starts", takenStarts.ToString(CultureInfo.InvariantCulture));

    private static async Task<IReadOnlyList<int>> PortsTriedAsync(string portLog) =>
        [.. (await File.ReadAllLinesAsync(portLog, TestContext.Current.CancellationToken)).Select(l => int.Parse(l, CultureInfo.InvariantCulture))];
}
