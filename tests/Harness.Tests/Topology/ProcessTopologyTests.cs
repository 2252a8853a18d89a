using System.Diagnostics;
using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Processes;
using static Chaos.Harness.Tests.Topology.TopologyTestSupport;

namespace Chaos.Harness.Tests.Topology;

public sealed class ProcessTopologyTests
{
    [Fact(Timeout = 60_000)]
    public async Task Launch_ServeNode_IsHealthyWithLoopbackEndpointAndCapturedLogs()
    {
        await using var topology = new ProcessTopology(Options());

        var node = await topology.LaunchAsync(Serve("api-1"), TestContext.Current.CancellationToken);

        node.State.Should().Be(NodeState.Running);
        node.IsRunning.Should().BeTrue();
        node.Endpoint!.Host.Should().Be("127.0.0.1");
        (await node.CheckHealthAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).Should().BeTrue();
        node.LogPath.Should().Be(Path.Combine(topology.RunDirectory, "logs", "api-1.log"));
        var log = await File.ReadAllTextAsync(node.LogPath, TestContext.Current.CancellationToken);
        log.Should().MatchRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z out \| listening: http://127\.0\.0\.1:\d+");
        log.Should().Contain("err | stderr: hello");
        log.Should().Contain($"out | parent: {Environment.ProcessId}", "children get CHAOS_PARENT_PID");
        topology.GetNode("api-1").Should().BeSameAs(node);
    }

    [Fact(Timeout = 60_000)]
    public async Task Kill_NodeWithGrandchild_KillsTheWholeTree()
    {
        await using var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("tree", "--spawn-grandchild", "--no-parent-watch"), TestContext.Current.CancellationToken);
        var pids = PidsInLog(node.LogPath);
        pids.Should().HaveCount(2).And.Contain(node.ProcessId!.Value);
        NodeExitedEventArgs? exited = null;
        node.Exited += (_, e) => exited = e;

        await node.KillAsync(TestContext.Current.CancellationToken);

        node.IsRunning.Should().BeFalse();
        node.State.Should().Be(NodeState.Exited);
        node.ExitCode.Should().Be(137);
        exited.Should().NotBeNull();
        exited!.Expected.Should().BeTrue();
        (await WaitUntilGoneAsync(pids, GoneWithin)).Should().BeEmpty("SIGKILL goes to the node's process group, grandchildren included");
    }

    [Fact(Timeout = 60_000)]
    public async Task Terminate_CooperativeNode_ExitsWithoutSigkill()
    {
        await using var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("polite"), TestContext.Current.CancellationToken);

        await node.TerminateAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        node.IsRunning.Should().BeFalse();
        node.ExitCode.Should().NotBe(137);
        (await File.ReadAllTextAsync(node.LogPath, TestContext.Current.CancellationToken)).Should().NotContain("grace period over");
    }

    [Fact(Timeout = 60_000)]
    public async Task Terminate_NodeIgnoringSigterm_EscalatesToSigkillAfterGrace()
    {
        await using var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("stubborn", "--ignore-sigterm"), TestContext.Current.CancellationToken);
        var clock = Stopwatch.StartNew();

        await node.TerminateAsync(TimeSpan.FromMilliseconds(700), TestContext.Current.CancellationToken);

        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(650));
        node.ExitCode.Should().Be(137);
        var log = await File.ReadAllTextAsync(node.LogPath, TestContext.Current.CancellationToken);
        log.Should().Contain("SIGTERM ignored").And.Contain("grace period over, SIGKILL");
    }

    [Fact(Timeout = 60_000)]
    public async Task Pause_Node_StopsAnsweringUntilResumed()
    {
        await using var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("sleepy"), TestContext.Current.CancellationToken);

        await node.PauseAsync(TestContext.Current.CancellationToken);

        node.State.Should().Be(NodeState.Paused);
        ProcFs.TryReadStat(node.ProcessId!.Value, out var stat).Should().BeTrue();
        stat.IsStopped.Should().BeTrue("the kernel shows the process stopped");
        (await node.CheckHealthAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken)).Should().BeFalse("a stopped process cannot answer");

        await node.ResumeAsync(TestContext.Current.CancellationToken);

        node.State.Should().Be(NodeState.Running);
        (await node.CheckHealthAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).Should().BeTrue();
    }

    [Fact(Timeout = 60_000)]
    public async Task Restart_NodeWithPortPlaceholder_ComesBackWithNewPidOnTheSamePort()
    {
        await using var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("phoenix", "--port", "{port}"), TestContext.Current.CancellationToken);
        var firstPid = node.ProcessId!.Value;
        var port = node.Ports["endpoint"];
        node.Endpoint!.Port.Should().Be(port, "the node announced the port the topology allocated");

        await node.RestartAsync(TestContext.Current.CancellationToken);

        node.Incarnation.Should().Be(2);
        node.ProcessId.Should().NotBe(firstPid);
        node.Endpoint!.Port.Should().Be(port);
        (await node.CheckHealthAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).Should().BeTrue();
        (await WaitUntilGoneAsync([firstPid], GoneWithin)).Should().BeEmpty();
        (await File.ReadAllTextAsync(node.LogPath, TestContext.Current.CancellationToken)).Should().Contain("start #1").And.Contain("start #2");
    }

    [Fact(Timeout = 60_000)]
    public async Task Restart_AfterAnUnexpectedExit_ReportsTheCrashAndStartsAgain()
    {
        await using var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("crashy"), TestContext.Current.CancellationToken);
        var crashed = new TaskCompletionSource<NodeExitedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Exited += (_, e) => crashed.TrySetResult(e);

        using (var process = Process.GetProcessById(node.ProcessId!.Value))
        {
            process.Kill();
        }

        var exit = await crashed.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        exit.Expected.Should().BeFalse("the harness did not cause it");
        exit.Incarnation.Should().Be(1);
        node.State.Should().Be(NodeState.Exited);

        await node.RestartAsync(TestContext.Current.CancellationToken);

        node.State.Should().Be(NodeState.Running);
        (await node.CheckHealthAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).Should().BeTrue();
    }

    [Fact(Timeout = 60_000)]
    public async Task Launch_NodeThatNeverBecomesReady_ThrowsTimeoutNamingTheNodeAndLeavesNothingRunning()
    {
        await using var topology = new ProcessTopology(Options());
        var spec = Serve("stuck", "--never-ready", "--spawn-grandchild", "--no-parent-watch") with { StartupTimeout = TimeSpan.FromSeconds(4) };

        var act = () => topology.LaunchAsync(spec, TestContext.Current.CancellationToken);

        var error = (await act.Should().ThrowAsync<NodeStartupTimeoutException>()).Which;
        error.Node.Should().Be("stuck");
        error.Message.Should().Contain("'stuck'").And.Contain("listening");
        topology.Nodes.Should().BeEmpty();
        var pids = PidsInLog(Path.Combine(topology.RunDirectory, "logs", "stuck.log"));
        pids.Should().HaveCount(2);
        (await WaitUntilGoneAsync(pids, GoneWithin)).Should().BeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task Launch_NodeThatExitsDuringStartup_ThrowsWithExitCodeAndLogTail()
    {
        await using var topology = new ProcessTopology(Options());

        var act = () => topology.LaunchAsync(Serve("doomed", "--exit-after-ms", "100", "--exit-code", "42"), TestContext.Current.CancellationToken);

        var error = (await act.Should().ThrowAsync<NodeExitedDuringStartupException>()).Which;
        error.Node.Should().Be("doomed");
        error.ExitCode.Should().Be(42);
        error.LogTail.Should().Contain(l => l.Contains("fatal: simulated startup failure"));
        error.Message.Should().Contain("fatal: simulated startup failure");
    }

    [Fact(Timeout = 60_000)]
    public async Task Launch_NodeAnnouncingANonLoopbackEndpoint_IsRefusedAndKilled()
    {
        await using var topology = new ProcessTopology(Options());

        var act = () => topology.LaunchAsync(Serve("remote", "--announce-host", "10.255.255.1"), TestContext.Current.CancellationToken);

        (await act.Should().ThrowAsync<NonLoopbackTargetException>()).Which.Target.Should().Contain("10.255.255.1");
        var pids = PidsInLog(Path.Combine(topology.RunDirectory, "logs", "remote.log"));
        (await WaitUntilGoneAsync(pids, GoneWithin)).Should().BeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task Launch_CancelledWhileStarting_ThrowsCancellationAndKillsTheNode()
    {
        await using var topology = new ProcessTopology(Options());
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(2));

        var act = () => topology.LaunchAsync(Serve("cancelled", "--never-ready", "--no-parent-watch"), cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        var pids = PidsInLog(Path.Combine(topology.RunDirectory, "logs", "cancelled.log"));
        (await WaitUntilGoneAsync(pids, GoneWithin)).Should().BeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task LaunchAll_OneNodeFails_KillsTheOthersAndReportsTheFailure()
    {
        await using var topology = new ProcessTopology(Options());

        var act = () => topology.LaunchAllAsync([Serve("good", "--no-parent-watch"), Serve("bad", "--exit-after-ms", "300")], TestContext.Current.CancellationToken);

        (await act.Should().ThrowAsync<NodeExitedDuringStartupException>()).Which.Node.Should().Be("bad");
        var pids = PidsInLog(Path.Combine(topology.RunDirectory, "logs", "good.log"));
        (await WaitUntilGoneAsync(pids, GoneWithin)).Should().BeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task Dispose_AfterNormalRun_KillsEveryTreeAndRemovesTheStateFile()
    {
        var topology = new ProcessTopology(Options());
        var nodes = await topology.LaunchAllAsync(
            [Serve("a", "--spawn-grandchild", "--no-parent-watch"), Serve("b", "--spawn-grandchild", "--no-parent-watch")], TestContext.Current.CancellationToken);
        var pids = nodes.SelectMany(n => PidsInLog(n.LogPath)).ToList();
        pids.Should().HaveCount(4);
        var state = await File.ReadAllTextAsync(topology.StateFilePath, TestContext.Current.CancellationToken);
        state.Should().Contain($"\"pid\": {nodes[0].ProcessId}").And.Contain($"\"pid\": {nodes[1].ProcessId}");

        await topology.DisposeAsync();

        (await WaitUntilGoneAsync(pids, GoneWithin)).Should().BeEmpty();
        File.Exists(topology.StateFilePath).Should().BeFalse();
    }

    [Fact(Timeout = 60_000)]
    public async Task Dispose_WithAPausedNode_StillKillsIt()
    {
        var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("frozen", "--no-parent-watch"), TestContext.Current.CancellationToken);
        var pid = node.ProcessId!.Value;
        await node.PauseAsync(TestContext.Current.CancellationToken);

        await topology.DisposeAsync();

        (await WaitUntilGoneAsync([pid], GoneWithin)).Should().BeEmpty();
        node.ExitCode.Should().Be(137);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_exception_in_the_middle_of_a_run_leaves_no_process_behind()
    {
        var pids = new List<int>();
        var run = async () =>
        {
            await using var topology = new ProcessTopology(Options());
            var node = await topology.LaunchAsync(Serve("victim", "--spawn-grandchild", "--no-parent-watch"), TestContext.Current.CancellationToken);
            pids.AddRange(PidsInLog(node.LogPath));
            throw new InvalidOperationException("scenario failed");
        };

        await run.Should().ThrowAsync<InvalidOperationException>();

        pids.Should().HaveCount(2);
        (await WaitUntilGoneAsync(pids, GoneWithin)).Should().BeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task Launch_DuplicateName_IsAConfigurationError()
    {
        await using var topology = new ProcessTopology(Options());
        await topology.LaunchAsync(Serve("twin"), TestContext.Current.CancellationToken);

        var act = () => topology.LaunchAsync(Serve("twin"), TestContext.Current.CancellationToken);

        (await act.Should().ThrowAsync<TopologyConfigurationException>()).Which.Field.Should().Be("Name");
    }

    [Fact]
    public async Task Launch_MissingExecutable_IsAConfigurationErrorNamingFileName()
    {
        await using var topology = new ProcessTopology(Options());

        var act = () => topology.LaunchAsync(new NodeSpec { Name = "ghost", FileName = "no-such-program-xyz" }, TestContext.Current.CancellationToken);

        (await act.Should().ThrowAsync<TopologyConfigurationException>()).Which.Field.Should().Be("FileName");
    }
}
