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

    [Fact]
    public async Task Starve_stops_the_instance_for_most_of_every_period_and_heal_lets_the_same_incarnation_run_freely()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "reads the process state from /proc (Linux only)");
        var node = fixture.Node("gateway-1");
        var before = node.Incarnation;
        var pid = node.ProcessId!.Value;
        // 500 ms periods: the pause and resume calls' own lateness on a crowded runner (tens of ms) is a small part of a
        // period, not most of it — at 100 ms a CI runner measured 36 % stopped of the 80 % asked
        var fault = new ProcessStarveFault(node, share: 0.2, period: TimeSpan.FromMilliseconds(500));

        await fault.ApplyAsync(Token).WaitAsync(Bound, Token);
        // sample the kernel's view of the process while it is starved: most samples must find it stopped ('T')
        var samples = 0;
        var stopped = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(3))
        {
            var stat = await File.ReadAllTextAsync($"/proc/{pid}/stat", Token);
            samples++;
            stopped += stat[(stat.LastIndexOf(')') + 2)..].StartsWith('T') ? 1 : 0;
            await Task.Delay(7, Token);
        }

        await fault.HealAsync(Token).WaitAsync(Bound, Token);

        ((double)stopped / samples).Should().BeGreaterThan(0.5, $"the node is stopped for 80 % of each period ({stopped} of {samples} samples found it stopped)");
        fault.Starved.Should().BeTrue(fault.Outcome);
        fault.Cycles.Should().BeInRange(4, 8, "about one cycle per 500 ms over about 3 s");
        fault.StoppedFraction.Should().BeInRange(0.6, 0.95);
        fault.Outcome.Should().Contain("starved: stopped").And.Contain("cycles of 500 ms (share 20%)").And.Contain("of CPU");
        fault.Interrupted.Should().BeNull();
        node.State.Should().Be(NodeState.Running);
        node.Incarnation.Should().Be(before, "a starvation is healed by letting the same process run, not by restarting it");
        (await node.CheckHealthAsync(TimeSpan.FromSeconds(10), Token)).Should().BeTrue();
    }

    [Fact]
    public async Task Starve_of_a_node_that_dies_under_it_ends_its_cycle_and_says_so()
    {
        var node = fixture.Node("jobs-1");
        var fault = new ProcessStarveFault(node, share: 0.5, period: TimeSpan.FromMilliseconds(50));

        await fault.ApplyAsync(Token).WaitAsync(Bound, Token);
        await Task.Delay(300, Token);
        await new ProcessKillFault(node).ApplyAsync(Token).WaitAsync(Bound, Token);
        await Task.Delay(200, Token);
        await fault.HealAsync(Token).WaitAsync(Bound, Token);

        fault.Interrupted.Should().Be("the node went down");
        fault.Outcome.Should().Contain("cycle ended early: the node went down");
        node.IsRunning.Should().BeTrue("heal revives a node that is down, like every process fault");
    }
}
