using Chaos.Harness.Checkers;
using Chaos.Harness.Faults.Process;
using Chaos.Harness.History;
using Chaos.Harness.Runs;
using Chaos.Harness.Topology.Processes;
using static Chaos.Harness.Tests.Topology.TopologyTestSupport;

namespace Chaos.Harness.Tests.Faults.Process;

/// <summary>
/// process-restart of a node whose new incarnation cannot start (the probe's --fail-start-when): the system failing to
/// start, not the fault failing to apply — the apply succeeds saying so, the heal starts it again, and a node still down
/// after that is recorded as node-down (docs/checkers.md).
/// </summary>
public sealed class ProcessRestartFaultTests
{
    [Fact(Timeout = 90_000)]
    public async Task A_restart_whose_new_incarnation_exits_before_ready_is_applied_and_the_heal_brings_it_back()
    {
        var ct = TestContext.Current.CancellationToken;
        var marker = Path.Combine(NewTempDirectory("restart"), "broken");
        await using var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("gateway-1", "--port", "{port}", "--fail-start-when", marker), ct);
        var fault = new ProcessRestartFault(node);
        await File.WriteAllTextAsync(marker, "the next start fails", ct);

        await fault.ApplyAsync(ct);

        fault.Died.Should().BeTrue("incarnation 1 was stopped");
        fault.CameBack.Should().BeFalse();
        fault.StartFailure.Should().Be("exited with 42 before it was ready");
        fault.Outcome.Should().Be("incarnation 1 stopped and started again, but the new incarnation exited with 42 before it was ready; down");

        File.Delete(marker);
        await fault.HealAsync(ct);

        fault.CameBack.Should().BeTrue("the heal started it again");
        node.IsRunning.Should().BeTrue();
    }

    /// <summary>
    /// random-mix on PostgreSQL, seed 2 (2026-12-07): a process-kill of api-1 1.9 s after its process-restart SIGKILLed
    /// the new incarnation while it started, and the run was judged node-down — the harness's kill blamed on the system.
    /// </summary>
    [Fact(Timeout = 90_000)]
    public async Task A_restart_whose_new_incarnation_another_fault_kills_while_it_starts_is_not_node_down()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = NewTempDirectory("restart");
        await using var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("api-1", "--port", "{port}", "--ready-delay-ms", "3000"), ct);
        var fault = new ProcessRestartFault(node);
        await using (var history = HistoryWriter.Create(Path.Combine(dir, "history.jsonl"), TimeProvider.System))
        {
            var nemesis = new Nemesis(history);
            var restart = nemesis.ApplyAsync(fault, TimeSpan.Zero, ct);
            while (node.Incarnation < 2)
            {
                await Task.Delay(20, ct);
            }

            await node.KillAsync(ct); // another fault's kill, while incarnation 2 waits to be ready
            (await restart).Should().NotBeNull("the restart took effect: incarnation 1 was stopped and another started");
            fault.StartFailure.Should().BeNull("the system did not fail to start: the harness stopped the start");
            fault.Interrupted.Should().Be("was stopped by the harness (exit 137: another fault) before it was ready");
            fault.Outcome.Should().StartWith("incarnation 1 stopped and started again; the new incarnation was stopped by the harness");
            await nemesis.HealAllAsync(ct);
            node.IsRunning.Should().BeTrue("the heal started it again");
        }

        var events = (await HistoryReader.ReadAllAsync(Path.Combine(dir, "history.jsonl"), HistoryReadMode.Strict, ct)).Events;
        events.Should().NotContain(e => e.F == HistoryOps.NodeDown);
    }

    [Fact(Timeout = 90_000)]
    public async Task A_restart_whose_new_incarnation_another_fault_pauses_until_its_startup_timeout_is_not_a_failed_start()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var topology = new ProcessTopology(Options());
        // ready 3 s after it starts, well inside its 8 s startup timeout — unless it is paused meanwhile
        var node = await topology.LaunchAsync(Serve("jobs-1", "--port", "{port}", "--ready-delay-ms", "3000") with { StartupTimeout = TimeSpan.FromSeconds(8) }, ct);
        var fault = new ProcessRestartFault(node);

        var restart = fault.ApplyAsync(ct);
        while (node.Incarnation < 2)
        {
            await Task.Delay(20, ct);
        }

        await node.PauseAsync(ct); // another fault's pause (a process-pause, a starve's stop) while incarnation 2 starts
        await restart;

        fault.StartFailure.Should().BeNull("the system did not fail to start: the harness held it stopped");
        fault.Interrupted.Should().Be("was paused by the harness (another fault) and not ready in time");
        await fault.HealAsync(ct);
        fault.CameBack.Should().BeTrue("the heal started it again");
    }

    [Fact(Timeout = 90_000)]
    public async Task The_nemesis_records_a_restart_the_system_could_not_start_as_node_down_and_the_check_finds_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = NewTempDirectory("restart");
        var marker = Path.Combine(dir, "broken");
        await using var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("gateway-1", "--port", "{port}", "--fail-start-when", marker), ct);
        await File.WriteAllTextAsync(marker, "the next start fails", ct);
        await using (var history = HistoryWriter.Create(Path.Combine(dir, "history.jsonl"), TimeProvider.System))
        {
            var nemesis = new Nemesis(history);
            var id = await nemesis.ApplyAsync(new ProcessRestartFault(node), TimeSpan.Zero, ct);
            id.Should().NotBeNull("the restart took effect: the fault is applied");
            File.Delete(marker);
            await nemesis.HealAllAsync(ct);
            node.IsRunning.Should().BeTrue("the heal started it again");
        }

        var events = (await HistoryReader.ReadAllAsync(Path.Combine(dir, "history.jsonl"), HistoryReadMode.Strict, ct)).Events;
        var down = events.Should().ContainSingle(e => e.F == HistoryOps.NodeDown).Which;
        ((MarkerValue)down.Op!).Detail.Should().Be("process-restart (f1) stopped it and started it again, and the new incarnation exited with 42 before it was ready");
        var result = new AvailabilityCheck().Check(events);
        result.Anomalies[AnomalyNames.NodeDown].Examples.Should().ContainSingle().Which.Events.Should().Equal(down.Index);
    }

    [Fact(Timeout = 90_000)]
    public async Task A_node_whose_heal_cannot_start_it_either_is_node_down_at_the_end()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = NewTempDirectory("restart");
        var marker = Path.Combine(dir, "broken");
        await using var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("gateway-1", "--port", "{port}", "--fail-start-when", marker), ct);
        var fault = new ProcessRestartFault(node);
        await File.WriteAllTextAsync(marker, "every start fails", ct);
        await fault.ApplyAsync(ct);

        var heal = () => fault.HealAsync(ct);
        await heal.Should().ThrowAsync<Chaos.Harness.Topology.NodeExitedDuringStartupException>();
        await using (var history = HistoryWriter.Create(Path.Combine(dir, "history.jsonl"), TimeProvider.System))
        {
            NodeRecovery.Record(history, [node]).Should().BeEmpty();
        }

        var events = (await HistoryReader.ReadAllAsync(Path.Combine(dir, "history.jsonl"), HistoryReadMode.Strict, ct)).Events;
        events.Should().ContainSingle(e => e.F == HistoryOps.NodeDown).Which.Op.Should().BeOfType<MarkerValue>()
            .Which.Detail.Should().Be("down after every fault was healed and the drain done: incarnation 3 exited with 42; its log ends: " + node.LogTail(5).Last(l => !string.IsNullOrWhiteSpace(l)));
    }
}
