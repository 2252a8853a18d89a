using System.Net;
using System.Net.Sockets;
using Chaos.Harness.Checkers;
using Chaos.Harness.History;
using Chaos.Harness.Runs;
using Chaos.Harness.Topology.Processes;
using static Chaos.Harness.Tests.Topology.TopologyTestSupport;

namespace Chaos.Harness.Tests.Runs;

/// <summary>
/// Whether the system came back (<see cref="NodeRecovery"/>), on real processes: a node down once the run's faults are
/// healed is recorded for the availability checker's node-down; one the environment kept down (its port taken by
/// another program) is the run's problem, not the system's; a running node is neither.
/// </summary>
public sealed class NodeRecoveryTests
{
    [Fact(Timeout = 60_000)]
    public async Task A_node_down_after_the_heal_is_recorded_and_checked_as_node_down_and_a_running_one_is_not()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(NewTempDirectory("recovery"), "history.jsonl");
        await using var topology = new ProcessTopology(Options());
        var nodes = await topology.LaunchAllAsync([Serve("up", "--port", "{port}"), Serve("down", "--port", "{port}")], ct);
        await nodes[1].KillAsync(ct); // exited, and nothing restarted it

        IReadOnlyList<string> problems;
        await using (var history = HistoryWriter.Create(path, TimeProvider.System))
        {
            problems = NodeRecovery.Record(history, nodes);
        }

        problems.Should().BeEmpty();
        var events = (await HistoryReader.ReadAllAsync(path, HistoryReadMode.Strict, ct)).Events;
        var down = events.Should().ContainSingle(e => e.F == HistoryOps.NodeDown).Which;
        down.Process.Should().Be(HistoryOps.NemesisProcess);
        down.Op.Should().BeOfType<MarkerValue>().Which.Target.Should().Be("down");
        ((MarkerValue)down.Op!).Detail.Should().StartWith("down after every fault was healed and the drain done: incarnation 1 exited with 137");

        var result = new AvailabilityCheck().Check(events);
        result.Verdict.Should().Be(Verdict.Invalid);
        result.Anomalies[AnomalyNames.NodeDown].Count.Should().Be(1);
        result.Anomalies[AnomalyNames.NodeDown].Examples[0].Events.Should().Equal(down.Index);
        result.Anomalies[AnomalyNames.NodeDown].Examples[0].Explanation.Should().StartWith("down did not come back: down after every fault was healed");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_node_kept_down_because_another_program_took_its_port_is_the_run_s_problem_not_a_node_down()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(NewTempDirectory("recovery"), "history.jsonl");
        await using var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("lost-port", "--port", "{port}"), ct);
        var port = node.Endpoint!.Port;
        await node.KillAsync(ct);
        using var thief = new TcpListener(IPAddress.Loopback, port);
        thief.Start(); // another program binds the port while the node is down
        var restart = () => node.RestartAsync(ct);
        await restart.Should().ThrowAsync<Chaos.Harness.Topology.NodeExitedDuringStartupException>("the restart reuses its port");

        IReadOnlyList<string> problems;
        await using (var history = HistoryWriter.Create(path, TimeProvider.System))
        {
            problems = NodeRecovery.Record(history, [node]);
        }

        problems.Should().ContainSingle().Which.Should().Contain("lost-port is down: it could not bind its port");
        (await HistoryReader.ReadAllAsync(path, HistoryReadMode.Strict, ct)).Events.Should().NotContain(e => e.F == HistoryOps.NodeDown);
    }
}
