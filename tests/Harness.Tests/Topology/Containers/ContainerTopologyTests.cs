using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Containers;
using Docker.DotNet.Models;

namespace Chaos.Harness.Tests.Topology.Containers;

/// <summary>What only the containers back-end does: real containers, host network, cgroup freezer, auto-removal, the reaper.</summary>
// One at a time: another test's topology would reap this one's deliberate leftovers (regression: a flaky reaper test).
[Collection(ContainerRunCollection.Name)]
public sealed class ContainerTopologyTests
{
    [Fact(Timeout = 60_000)]
    public async Task Launch_Node_RunsInItsOwnLabelledContainerOnTheHostNetworkAndPidNamespace()
    {
        await using var topology = await ContainerTestSupport.CreateAsync();

        var node = await topology.LaunchAsync(TopologyTestSupport.Serve("boxed"), TestContext.Current.CancellationToken);

        using var client = topology.Engine.CreateClient();
        var id = (await ContainerTestSupport.ContainersWithLabelsAsync($"org.chaos.run={topology.RunId}", "org.chaos.node=boxed")).Should().ContainSingle().Which;
        var inspect = await client.Containers.InspectContainerAsync(id, TestContext.Current.CancellationToken);
        inspect.HostConfig!.NetworkMode.Should().Be("host");
        inspect.HostConfig!.PidMode.Should().Be("host");
        inspect.HostConfig!.AutoRemove.Should().BeTrue();
        inspect.Config!.Labels.Should().Contain("org.chaos.harness", ContainerLabels.ThisHarness);
        inspect.Config!.Image.Should().Be(topology.Image);
        node.ProcessId.Should().Be((int)inspect.State!.Pid, "the node's pid is the container's main process, a host pid");
        (await File.ReadAllTextAsync($"/proc/{node.ProcessId}/cgroup", TestContext.Current.CancellationToken)).Should().Contain(id, "the node's process lives in the container's cgroup");
        (await File.ReadAllTextAsync(node.LogPath, TestContext.Current.CancellationToken)).Should().Contain("start #1: container chaos-" + topology.RunId + "-boxed-1");
    }

    [Fact(Timeout = 60_000)]
    public async Task Pause_Node_FreezesTheContainerUntilResumed()
    {
        await using var topology = await ContainerTestSupport.CreateAsync();
        var node = await topology.LaunchAsync(TopologyTestSupport.Serve("frozen"), TestContext.Current.CancellationToken);
        using var client = topology.Engine.CreateClient();
        var id = (await ContainerTestSupport.ContainersWithLabelsAsync($"org.chaos.run={topology.RunId}", "org.chaos.node=frozen")).Single();

        await node.PauseAsync(TestContext.Current.CancellationToken);

        (await client.Containers.InspectContainerAsync(id, TestContext.Current.CancellationToken)).State!.Paused.Should().BeTrue();
        (await node.CheckHealthAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken)).Should().BeFalse("a frozen container cannot answer");

        await node.ResumeAsync(TestContext.Current.CancellationToken);

        (await client.Containers.InspectContainerAsync(id, TestContext.Current.CancellationToken)).State!.Paused.Should().BeFalse();
        (await node.CheckHealthAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).Should().BeTrue();
    }

    [Fact(Timeout = 60_000)]
    public async Task Kill_PausedNode_ExitsWith137AndTheEngineRemovesTheContainer()
    {
        await using var topology = await ContainerTestSupport.CreateAsync();
        var node = await topology.LaunchAsync(TopologyTestSupport.Serve("victim", "--no-parent-watch"), TestContext.Current.CancellationToken);
        await node.PauseAsync(TestContext.Current.CancellationToken);

        await node.KillAsync(TestContext.Current.CancellationToken);

        node.ExitCode.Should().Be(137);
        (await ContainerTestSupport.WaitUntilNoContainerAsync($"org.chaos.run={topology.RunId}", TimeSpan.FromSeconds(10))).Should().BeEmpty();
        (await File.ReadAllTextAsync(node.LogPath, TestContext.Current.CancellationToken)).Should().Contain("docker kill -s KILL").And.Contain("exit #1: code 137 (caused by the harness)");
    }

    [Fact(Timeout = 60_000)]
    public async Task Dispose_RemovesEveryContainerOfTheRun_IncludingPausedOnesAndOnesIgnoringTheirParent()
    {
        var topology = await ContainerTestSupport.CreateAsync();
        var nodes = await topology.LaunchAllAsync(
            [TopologyTestSupport.Serve("a", "--no-parent-watch"), TopologyTestSupport.Serve("b", "--no-parent-watch")], TestContext.Current.CancellationToken);
        await nodes[1].PauseAsync(TestContext.Current.CancellationToken);
        (await ContainerTestSupport.ContainersWithLabelsAsync($"org.chaos.run={topology.RunId}")).Should().HaveCount(2);

        await topology.DisposeAsync();

        (await ContainerTestSupport.ContainersWithLabelsAsync($"org.chaos.run={topology.RunId}")).Should().BeEmpty("dispose waits until they are gone");
        nodes.Should().OnlyContain(n => n.State == NodeState.Exited);
    }

    [Fact(Timeout = 60_000)]
    public async Task Reaper_RemovesContainersOfDeadHarnesses_AndLeavesThoseOfLiveOnes()
    {
        await ContainerTestSupport.RequireDockerAsync();
        var engine = await DockerEngine.ConnectAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        using var client = engine.CreateClient();
        var run = "reaper-" + Guid.NewGuid().ToString("N")[..8];
        async Task<string> CreateAsync(string harness)
        {
            var created = await client.Containers.CreateContainerAsync(
                new CreateContainerParameters
                {
                    Image = new ContainerTopologyOptions { RunDirectory = "." }.Image,
                    Cmd = ["sleep", "300"],
                    Labels = new Dictionary<string, string> { ["org.chaos.topology"] = "containers", ["org.chaos.run"] = run, ["org.chaos.harness"] = harness },
                    HostConfig = new HostConfig { NetworkMode = "none" },
                },
                TestContext.Current.CancellationToken);
            await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), TestContext.Current.CancellationToken);
            return created.ID;
        }

        // A pid that cannot be alive (above pid_max) stands for a SIGKILLed harness; a stopped container of it too.
        var dead = await CreateAsync($"{File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim()} 99999999 1");
        var fromEarlierBoot = await CreateAsync($"00000000-0000-0000-0000-000000000000 {Environment.ProcessId} 1");
        var live = await CreateAsync(ContainerLabels.ThisHarness);
        try
        {
            var removed = await ContainerReaper.ReapAsync(client, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TestContext.Current.CancellationToken);

            removed.Should().BeGreaterThanOrEqualTo(2);
            var left = await ContainerTestSupport.ContainersWithLabelsAsync($"org.chaos.run={run}");
            left.Should().Equal([live], "only the live harness's container stays");
            left.Should().NotContain([dead, fromEarlierBoot]);
        }
        finally
        {
            await client.Containers.RemoveContainerAsync(live, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
        }
    }
}
