using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Processes;
using static Chaos.Harness.Tests.Topology.TopologyTestSupport;

namespace Chaos.Harness.Tests.Topology;

/// <summary>What only the process back-end promises (the shared promises are in <see cref="ProcessTopologyContractTests"/>).</summary>
public sealed class ProcessTopologyTests
{
    [Fact(Timeout = 60_000)]
    public async Task Launch_Node_RunsInItsOwnProcessGroupWithChaosParentPid()
    {
        await using var topology = new ProcessTopology(Options());

        var node = await topology.LaunchAsync(Serve("grouped"), TestContext.Current.CancellationToken);

        ProcFs.TryReadStat(node.ProcessId!.Value, out var stat).Should().BeTrue();
        stat.ProcessGroup.Should().Be(node.ProcessId.Value, "the node leads its own process group (setsid)");
        (await File.ReadAllTextAsync(node.LogPath, TestContext.Current.CancellationToken))
            .Should().Contain($"out | parent: {Environment.ProcessId}", "children get CHAOS_PARENT_PID");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_node_started_after_AddNodeEnvironment_carries_the_variables_on_top_of_its_spec_s()
    {
        await using var topology = new ProcessTopology(Options());
        topology.AddNodeEnvironment(new Dictionary<string, string> { ["CHAOS_TEST_RUN_WIDE"] = "run", ["CHAOS_TEST_BOTH"] = "run" });

        var node = await topology.LaunchAsync(
            Serve("env") with { Environment = new Dictionary<string, string> { ["CHAOS_TEST_BOTH"] = "spec", ["CHAOS_TEST_SPEC"] = "spec" } },
            TestContext.Current.CancellationToken);

        var pid = node.ProcessId!.Value;
        ProcFs.HasEnvironmentEntry(pid, "CHAOS_TEST_RUN_WIDE=run").Should().BeTrue();
        ProcFs.HasEnvironmentEntry(pid, "CHAOS_TEST_SPEC=spec").Should().BeTrue();
        ProcFs.HasEnvironmentEntry(pid, "CHAOS_TEST_BOTH=run").Should().BeTrue("the run's variables are put on top: the shim must reach every node whatever its adapter wrote");
    }

    [Fact(Timeout = 60_000)]
    public async Task Launch_Node_CreatesNoDiagnosticsSocketOrDebuggerPipesThatAKillWouldLeaveBehind()
    {
        static string[] FilesOf(int pid) =>
            [.. Directory.GetFiles(Path.GetTempPath(), $"dotnet-diagnostic-{pid}-*"), .. Directory.GetFiles(Path.GetTempPath(), $"clr-debug-pipe-{pid}-*")];
        await using var topology = new ProcessTopology(Options());

        var node = await topology.LaunchAsync(Serve("quiet"), TestContext.Current.CancellationToken);

        FilesOf(Environment.ProcessId).Should().NotBeEmpty("the pattern finds a .NET process's files: this test host has them");
        FilesOf(node.ProcessId!.Value).Should().BeEmpty("nodes start with DOTNET_EnableDiagnostics_IPC=0 and _Debugger=0");
    }

    [Fact(Timeout = 60_000)]
    public async Task Pause_Node_IsStoppedAccordingToTheKernel()
    {
        await using var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("stopped", "--spawn-grandchild", "--no-parent-watch"), TestContext.Current.CancellationToken);
        var pids = PidsInLog(node.LogPath);

        await node.PauseAsync(TestContext.Current.CancellationToken);

        pids.Should().HaveCount(2).And.OnlyContain(p => IsStopped(p), "SIGSTOP reaches the whole tree");

        await node.ResumeAsync(TestContext.Current.CancellationToken);

        (await node.CheckHealthAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).Should().BeTrue();
        pids.Should().OnlyContain(p => !IsStopped(p));
    }

    [Fact(Timeout = 60_000)]
    public async Task Terminate_NodeIgnoringSigterm_LogsTheEscalation()
    {
        await using var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("stubborn", "--ignore-sigterm"), TestContext.Current.CancellationToken);

        await node.TerminateAsync(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken);

        (await File.ReadAllTextAsync(node.LogPath, TestContext.Current.CancellationToken))
            .Should().Contain("--- | harness: SIGTERM").And.Contain("grace period over, SIGKILL").And.Contain("code 137 (caused by the harness)");
    }

    [Fact(Timeout = 60_000)]
    public async Task StateFile_ListsLiveChildrenWithStartTimes_AndIsRemovedOnDispose()
    {
        var topology = new ProcessTopology(Options());
        var node = await topology.LaunchAsync(Serve("recorded"), TestContext.Current.CancellationToken);
        ProcFs.TryReadStat(node.ProcessId!.Value, out var stat).Should().BeTrue();

        var state = TopologyStateFile.Read(topology.StateFilePath)!;

        state.HarnessPid.Should().Be(Environment.ProcessId);
        state.Children.Should().ContainSingle().Which.Should().Be(new TopologyStateChild("recorded", node.ProcessId.Value, stat.StartTime, true));

        await topology.DisposeAsync();

        File.Exists(topology.StateFilePath).Should().BeFalse();
    }

    [Fact]
    public async Task Launch_MissingExecutable_IsAConfigurationErrorNamingFileName()
    {
        await using var topology = new ProcessTopology(Options());

        var act = () => topology.LaunchAsync(new NodeSpec { Name = "ghost", FileName = "no-such-program-xyz" }, TestContext.Current.CancellationToken);

        (await act.Should().ThrowAsync<TopologyConfigurationException>()).Which.Field.Should().Be("FileName");
    }

    [Fact]
    public void Options_Invalid_AreRejectedNamingTheField()
    {
        var act = () => new ProcessTopology(new ProcessTopologyOptions { RunDirectory = "" });

        act.Should().Throw<TopologyConfigurationException>().Which.Field.Should().Be("RunDirectory");
    }

    private static bool IsStopped(int pid) => ProcFs.TryReadStat(pid, out var stat) && stat.IsStopped;
}
