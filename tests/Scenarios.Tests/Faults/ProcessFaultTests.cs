using Chaos.Harness.Faults.Process;
using Chaos.Harness.Topology;

namespace Chaos.Scenarios.Tests.Faults;

/// <summary>Each process fault applied to and healed on a real role instance (its whole process tree, real signals).</summary>
[Collection(DeploymentCollection.Name)]
public sealed class ProcessFaultTests(DeploymentFixture fixture)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Kill_SIGKILLs_the_instance_and_heal_restarts_it_once()
    {
        var node = fixture.Node("jobs-1");
        var before = node.Incarnation;
        var exits = new List<NodeExitedEventArgs>();
        node.Exited += (_, e) => exits.Add(e);
        var fault = new ProcessKillFault(node);

        await fault.ApplyAsync(Token).WaitAsync(Bound, Token);

        node.IsRunning.Should().BeFalse();
        fault.Died.Should().BeTrue();
        fault.ExitCode.Should().Be(137, "SIGKILL is exit 128 + 9");
        exits.Should().ContainSingle(e => e.Incarnation == before && e.Expected, "the harness caused this exit");
        fault.Outcome.Should().Contain("exited with 137").And.EndWith("down");

        await fault.HealAsync(Token).WaitAsync(Bound, Token);
        await fault.HealAsync(Token).WaitAsync(Bound, Token); // idempotent: a running node is left alone

        node.Incarnation.Should().Be(before + 1, "heal restarts a dead node exactly once");
        fault.CameBack.Should().BeTrue();
        (await node.CheckHealthAsync(TimeSpan.FromSeconds(10), Token)).Should().BeTrue();
    }

    [Fact]
    public async Task Terminate_stops_the_instance_and_heal_restarts_it()
    {
        var node = fixture.Node("jobs-1");
        var before = node.Incarnation;
        var fault = new ProcessTerminateFault(node);

        await fault.ApplyAsync(Token).WaitAsync(Bound, Token);
        node.IsRunning.Should().BeFalse();
        fault.Died.Should().BeTrue();

        await fault.HealAsync(Token).WaitAsync(Bound, Token);
        node.Incarnation.Should().Be(before + 1);
        fault.CameBack.Should().BeTrue();
    }

    [Fact]
    public async Task Pause_freezes_the_instance_and_heal_resumes_the_same_incarnation()
    {
        var node = fixture.Node("gateway-1");
        var before = node.Incarnation;
        var fault = new ProcessPauseFault(node);

        await fault.ApplyAsync(Token).WaitAsync(Bound, Token);
        node.State.Should().Be(NodeState.Paused);
        (await node.CheckHealthAsync(TimeSpan.FromSeconds(1), Token)).Should().BeFalse("a stopped process answers nothing");

        await fault.HealAsync(Token).WaitAsync(Bound, Token);
        node.State.Should().Be(NodeState.Running);
        node.Incarnation.Should().Be(before, "a pause is healed by resuming, not restarting");
        fault.Paused.Should().BeTrue();
        fault.Resumed.Should().BeTrue();
        (await node.CheckHealthAsync(TimeSpan.FromSeconds(10), Token)).Should().BeTrue();
    }

    [Fact]
    public async Task Restart_gives_a_new_ready_incarnation_and_heal_is_a_no_op()
    {
        var node = fixture.Node("jobs-1");
        var before = node.Incarnation;
        var fault = new ProcessRestartFault(node);

        await fault.ApplyAsync(Token).WaitAsync(Bound, Token);
        node.Incarnation.Should().Be(before + 1);
        fault.Died.Should().BeTrue();
        fault.CameBack.Should().BeTrue();

        await fault.HealAsync(Token).WaitAsync(Bound, Token);
        node.Incarnation.Should().Be(before + 1);
    }
}
