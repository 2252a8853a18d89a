using Chaos.Harness.Topology;

namespace Chaos.Harness.Tests.Topology;

/// <summary>
/// What every topology back-end must do, run against each one (processes now, containers later): a derived class
/// supplies the topology, a probe node spec, and a way to trace what a node runs.
/// </summary>
public abstract class TopologyContractTests
{
    protected static readonly TimeSpan GoneWithin = TimeSpan.FromSeconds(10);

    /// <summary>A fresh topology in a fresh run folder.</summary>
    protected abstract ITopology CreateTopology(bool allowRemote = false);

    /// <summary>A probe <c>topology-serve</c> node with these options, ready on "listening: URL" then GET /healthz.</summary>
    protected abstract NodeSpec Serve(string name, params string[] options);

    /// <summary>What node <paramref name="name"/> of <paramref name="topology"/> runs or ran (from its log, so it works after a failed launch).</summary>
    protected abstract INodeTrace Trace(ITopology topology, string name);

    [Fact(Timeout = 60_000)]
    public async Task Launch_ServeNode_IsHealthyWithLoopbackEndpointAndCapturedLogs()
    {
        await using var topology = CreateTopology();

        var node = await topology.LaunchAsync(Serve("api-1"), TestContext.Current.CancellationToken);

        node.State.Should().Be(NodeState.Running);
        node.IsRunning.Should().BeTrue();
        node.Incarnation.Should().Be(1);
        node.Endpoint!.Host.Should().Be("127.0.0.1");
        (await node.CheckHealthAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).Should().BeTrue();
        node.LogPath.Should().Be(Path.Combine(topology.RunDirectory, "logs", "api-1.log"));
        var log = await File.ReadAllTextAsync(node.LogPath, TestContext.Current.CancellationToken);
        log.Should().MatchRegex(@"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z out \| listening: http://127\.0\.0\.1:\d+");
        log.Should().Contain("err | stderr: hello");
        topology.GetNode("api-1").Should().BeSameAs(node);
        topology.Nodes.Should().ContainSingle();
    }

    [Fact(Timeout = 60_000)]
    public async Task Kill_NodeWithGrandchild_KillsTheWholeTreeAndReportsAnExpectedExit()
    {
        await using var topology = CreateTopology();
        var node = await topology.LaunchAsync(Serve("tree", "--spawn-grandchild", "--no-parent-watch"), TestContext.Current.CancellationToken);
        var trace = Trace(topology, "tree");
        trace.Items.Should().HaveCount(2);
        NodeExitedEventArgs? exited = null;
        node.Exited += (_, e) => exited = e;

        await node.KillAsync(TestContext.Current.CancellationToken);

        node.IsRunning.Should().BeFalse();
        node.State.Should().Be(NodeState.Exited);
        node.ExitCode.Should().Be(137);
        exited.Should().NotBeNull("Exited handlers have run when KillAsync returns");
        exited!.Expected.Should().BeTrue();
        (await trace.StillAliveAfterAsync(GoneWithin)).Should().BeEmpty("kill reaches grandchildren too");
    }

    [Fact(Timeout = 60_000)]
    public async Task Terminate_CooperativeNode_ExitsWithoutSigkill()
    {
        await using var topology = CreateTopology();
        var node = await topology.LaunchAsync(Serve("polite"), TestContext.Current.CancellationToken);

        await node.TerminateAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        node.IsRunning.Should().BeFalse();
        node.ExitCode.Should().NotBe(137);
    }

    [Fact(Timeout = 60_000)]
    public async Task Terminate_NodeIgnoringSigterm_IsKilledAfterTheGracePeriod()
    {
        await using var topology = CreateTopology();
        var node = await topology.LaunchAsync(Serve("stubborn", "--ignore-sigterm"), TestContext.Current.CancellationToken);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await node.TerminateAsync(TimeSpan.FromMilliseconds(700), TestContext.Current.CancellationToken);

        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(650));
        node.ExitCode.Should().Be(137);
        (await File.ReadAllTextAsync(node.LogPath, TestContext.Current.CancellationToken)).Should().Contain("SIGTERM ignored");
    }

    [Fact(Timeout = 60_000)]
    public async Task Pause_Node_StopsAnsweringUntilResumed()
    {
        await using var topology = CreateTopology();
        var node = await topology.LaunchAsync(Serve("sleepy"), TestContext.Current.CancellationToken);

        await node.PauseAsync(TestContext.Current.CancellationToken);

        node.State.Should().Be(NodeState.Paused);
        node.IsRunning.Should().BeTrue("a paused node has not exited");
        (await node.CheckHealthAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken)).Should().BeFalse("a paused node cannot answer");

        await node.ResumeAsync(TestContext.Current.CancellationToken);

        node.State.Should().Be(NodeState.Running);
        (await node.CheckHealthAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).Should().BeTrue();
    }

    [Fact(Timeout = 60_000)]
    public async Task Restart_NodeWithPortPlaceholder_ComesBackAsANewIncarnationOnTheSamePort()
    {
        await using var topology = CreateTopology();
        var node = await topology.LaunchAsync(Serve("phoenix", "--port", "{port}"), TestContext.Current.CancellationToken);
        var first = Trace(topology, "phoenix");
        var port = node.Ports["endpoint"];
        node.Endpoint!.Port.Should().Be(port, "the node announced the port the topology allocated");

        await node.RestartAsync(TestContext.Current.CancellationToken);

        node.Incarnation.Should().Be(2);
        node.State.Should().Be(NodeState.Running);
        node.Endpoint!.Port.Should().Be(port);
        (await node.CheckHealthAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken)).Should().BeTrue();
        (await first.StillAliveAfterAsync(GoneWithin)).Should().BeEmpty("the first incarnation is gone");
        (await File.ReadAllTextAsync(node.LogPath, TestContext.Current.CancellationToken)).Should().Contain("start #1").And.Contain("start #2");
    }

    [Fact(Timeout = 60_000)]
    public async Task Launch_NodeThatNeverBecomesReady_ThrowsTimeoutNamingTheNodeAndLeavesNothingRunning()
    {
        await using var topology = CreateTopology();
        var spec = Serve("stuck", "--never-ready", "--spawn-grandchild", "--no-parent-watch") with { StartupTimeout = TimeSpan.FromSeconds(4) };

        var act = () => topology.LaunchAsync(spec, TestContext.Current.CancellationToken);

        var error = (await act.Should().ThrowAsync<NodeStartupTimeoutException>()).Which;
        error.Node.Should().Be("stuck");
        error.Timeout.Should().Be(TimeSpan.FromSeconds(4));
        error.Message.Should().Contain("'stuck'").And.Contain("listening");
        topology.Nodes.Should().BeEmpty();
        var trace = Trace(topology, "stuck");
        trace.Items.Should().HaveCount(2);
        (await trace.StillAliveAfterAsync(GoneWithin)).Should().BeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task Launch_NodeThatExitsDuringStartup_ThrowsWithExitCodeAndLogTail()
    {
        await using var topology = CreateTopology();

        var act = () => topology.LaunchAsync(Serve("doomed", "--exit-after-ms", "100", "--exit-code", "42"), TestContext.Current.CancellationToken);

        var error = (await act.Should().ThrowAsync<NodeExitedDuringStartupException>()).Which;
        error.Node.Should().Be("doomed");
        error.ExitCode.Should().Be(42);
        error.LogTail.Should().Contain(l => l.Contains("fatal: simulated startup failure"));
        error.Message.Should().Contain("'doomed'").And.Contain("fatal: simulated startup failure");
    }

    [Fact(Timeout = 60_000)]
    public async Task Launch_NodeAnnouncingANonLoopbackEndpoint_IsRefusedAndKilled()
    {
        await using var topology = CreateTopology();

        var act = () => topology.LaunchAsync(Serve("remote", "--announce-host", "10.255.255.1"), TestContext.Current.CancellationToken);

        (await act.Should().ThrowAsync<NonLoopbackTargetException>()).Which.Target.Should().Contain("10.255.255.1");
        (await Trace(topology, "remote").StillAliveAfterAsync(GoneWithin)).Should().BeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task Launch_CancelledWhileStarting_ThrowsCancellationAndKillsTheNode()
    {
        await using var topology = CreateTopology();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(2));

        var act = () => topology.LaunchAsync(Serve("cancelled", "--never-ready", "--no-parent-watch"), cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        (await Trace(topology, "cancelled").StillAliveAfterAsync(GoneWithin)).Should().BeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task LaunchAll_OneNodeFails_KillsTheOthersAndReportsTheFailure()
    {
        await using var topology = CreateTopology();

        var act = () => topology.LaunchAllAsync([Serve("good", "--no-parent-watch"), Serve("bad", "--exit-after-ms", "300")], TestContext.Current.CancellationToken);

        (await act.Should().ThrowAsync<NodeExitedDuringStartupException>()).Which.Node.Should().Be("bad");
        (await Trace(topology, "good").StillAliveAfterAsync(GoneWithin)).Should().BeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task Dispose_AfterANormalRun_LeavesNothingRunning_EvenPausedNodes()
    {
        var topology = CreateTopology();
        var nodes = await topology.LaunchAllAsync(
            [Serve("a", "--spawn-grandchild", "--no-parent-watch"), Serve("b", "--no-parent-watch")], TestContext.Current.CancellationToken);
        await nodes[1].PauseAsync(TestContext.Current.CancellationToken);
        var traces = new[] { Trace(topology, "a"), Trace(topology, "b") };

        await topology.DisposeAsync();

        foreach (var trace in traces)
        {
            (await trace.StillAliveAfterAsync(GoneWithin)).Should().BeEmpty();
        }

        nodes.Should().OnlyContain(n => n.State == NodeState.Exited);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_exception_in_the_middle_of_a_run_leaves_nothing_running()
    {
        INodeTrace? trace = null;
        var run = async () =>
        {
            await using var topology = CreateTopology();
            await topology.LaunchAsync(Serve("victim", "--spawn-grandchild", "--no-parent-watch"), TestContext.Current.CancellationToken);
            trace = Trace(topology, "victim");
            throw new InvalidOperationException("scenario failed");
        };

        await run.Should().ThrowAsync<InvalidOperationException>();

        trace!.Items.Should().HaveCount(2);
        (await trace.StillAliveAfterAsync(GoneWithin)).Should().BeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task Restart_AfterAnUnexpectedExit_ReportsTheCrashAndStartsAgain()
    {
        await using var topology = CreateTopology();
        var marker = Path.Combine(topology.RunDirectory, "crashed-once");
        var node = await topology.LaunchAsync(Serve("crashy", "--exit-after-ready-ms", "300", "--crash-once", marker), TestContext.Current.CancellationToken);
        var crashed = new TaskCompletionSource<NodeExitedEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        node.Exited += (_, e) => crashed.TrySetResult(e);

        var exit = await crashed.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        exit.Expected.Should().BeFalse("the harness did not cause it");
        exit.Incarnation.Should().Be(1);
        exit.ExitCode.Should().Be(7);
        node.State.Should().Be(NodeState.Exited);

        await node.RestartAsync(TestContext.Current.CancellationToken);

        node.Incarnation.Should().Be(2);
        node.State.Should().Be(NodeState.Running);
    }

    [Fact(Timeout = 60_000)]
    public async Task Launch_DuplicateName_IsAConfigurationError()
    {
        await using var topology = CreateTopology();
        await topology.LaunchAsync(Serve("twin"), TestContext.Current.CancellationToken);

        var act = () => topology.LaunchAsync(Serve("twin"), TestContext.Current.CancellationToken);

        (await act.Should().ThrowAsync<TopologyConfigurationException>()).Which.Field.Should().Be("Name");
    }
}
