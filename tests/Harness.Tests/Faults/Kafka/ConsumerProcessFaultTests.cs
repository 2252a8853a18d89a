using Chaos.Harness.Faults.Kafka;
using Chaos.Harness.Faults.Network;
using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Processes;
using Microsoft.Extensions.Time.Testing;
using static Chaos.Harness.Tests.Topology.TopologyTestSupport;

namespace Chaos.Harness.Tests.Faults.Kafka;

/// <summary>The consumer-group faults that act on processes, applied and healed on real topology nodes (the probe's HTTP server).</summary>
public sealed class ConsumerProcessFaultTests
{
    [Fact(Timeout = 90_000)]
    public async Task ZombieConsumer_Apply_FreezesTheNode_Heal_ThawsItAndRecordsHowLongItWasFrozen()
    {
        var Ct = TestContext.Current.CancellationToken;
        await using var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("notifier-1"), Ct);
        var time = new FakeTimeProvider();
        var fault = new ZombieConsumerFault(node, time);

        await fault.ApplyAsync(Ct);
        var frozenHealthy = await node.CheckHealthAsync(TimeSpan.FromSeconds(1), Ct);
        var frozenState = node.State;
        time.Advance(TimeSpan.FromSeconds(9));
        await fault.HealAsync(Ct);
        await fault.HealAsync(Ct); // idempotent

        frozenState.Should().Be(NodeState.Paused);
        frozenHealthy.Should().BeFalse("a SIGSTOPped process answers nothing");
        fault.FrozenFor.Should().Be(TimeSpan.FromSeconds(9));
        node.State.Should().Be(NodeState.Running);
        (await node.CheckHealthAsync(TimeSpan.FromSeconds(10), Ct)).Should().BeTrue("it wakes up and carries on");
        node.Incarnation.Should().Be(1, "a zombie is the same process, not a restart");
    }

    [Fact(Timeout = 90_000)]
    public async Task ZombieConsumer_HealWithoutApply_DoesNothing()
    {
        var Ct = TestContext.Current.CancellationToken;
        await using var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("notifier-2"), Ct);
        var fault = new ZombieConsumerFault(node);

        await fault.HealAsync(Ct);

        fault.FrozenFor.Should().BeNull();
        node.State.Should().Be(NodeState.Running);
    }

    [Fact(Timeout = 90_000)]
    public async Task ScaleIn_Apply_StopsTheInstance_Heal_StartsItAgain()
    {
        var Ct = TestContext.Current.CancellationToken;
        await using var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("jobs-1"), Ct);
        var fault = new ConsumerScaleInFault(node);

        await fault.ApplyAsync(Ct);
        var stopped = node.IsRunning;
        await fault.HealAsync(Ct);
        await fault.HealAsync(Ct); // idempotent: no second restart

        stopped.Should().BeFalse("SIGTERM stopped the instance");
        node.IsRunning.Should().BeTrue();
        node.Incarnation.Should().Be(2, "healed by exactly one restart");
        (await node.CheckHealthAsync(TimeSpan.FromSeconds(10), Ct)).Should().BeTrue();
        fault.Target.Should().Be("jobs-1");
    }

    [Fact(Timeout = 90_000)]
    public async Task Node_faults_of_different_families_share_one_heal_lock_and_one_evidence_shape()
    {
        var Ct = TestContext.Current.CancellationToken;
        await using var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("gateway-1"), Ct);
        var crash = new GatewayCrashFault(node);
        var scaleIn = new ConsumerScaleInFault(node);

        await crash.ApplyAsync(Ct);
        await scaleIn.ApplyAsync(Ct); // already down: nothing to stop
        await Task.WhenAll(crash.HealAsync(Ct), scaleIn.HealAsync(Ct));

        node.IsRunning.Should().BeTrue();
        node.Incarnation.Should().Be(2, "two faults healing one node at once restart it once (one lock for every node fault)");
        crash.Died.Should().BeTrue();
        crash.ExitCode.Should().Be(137);
        crash.CameBack.Should().BeTrue();
        crash.Outcome.Should().Be("incarnation 1 exited with 137; running again as incarnation 2");
        scaleIn.CameBack.Should().BeTrue();
    }
}
