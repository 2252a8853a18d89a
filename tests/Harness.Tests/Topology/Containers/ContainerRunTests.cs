using System.Diagnostics;
using System.Text.Json;
using static Chaos.Harness.Tests.Topology.TopologyTestSupport;

namespace Chaos.Harness.Tests.Topology.Containers;

/// <summary><c>chaos run ... --topology containers</c> end to end, as a user runs it.</summary>
[Collection(ContainerRunCollection.Name)]
public sealed class ContainerRunTests
{
    [Fact(Timeout = 240_000)]
    public async Task SteadyState_InContainers_HoldsEveryCorrectnessPromiseWithEveryNodeInAContainerAndLeavesNoContainer()
    {
        await ContainerTestSupport.RequireDockerAsync();
        var output = Path.Combine(NewTempDirectory("crun"), "steady");

        var (code, stdout, stderr) = await RunChaosAsync(
            ["run", "steady-state", "--topology", "containers", "--warmup", "5s", "--duration", "5s", "--rate", "20", "--out", output],
            TimeSpan.FromSeconds(200),
            TestContext.Current.CancellationToken);

        await ShouldHoldEveryCorrectnessPromiseAsync(output, code, stdout, stderr, "steady-state");

        (await File.ReadAllTextAsync(Path.Combine(output, "summary.md"), TestContext.Current.CancellationToken)).Should().Contain("- topology: containers");
        foreach (var log in Directory.GetFiles(Path.Combine(output, "logs"), "*.log"))
        {
            var text = await File.ReadAllTextAsync(log, TestContext.Current.CancellationToken);
            if (text.Contains("start #1:", StringComparison.Ordinal))
            {
                text.Should().Contain("start #1: container chaos-", $"{Path.GetFileName(log)} ran in a container");
            }
        }

        Directory.GetFiles(Path.Combine(output, "logs"), "kafka.log").Should().ContainSingle();
        (await ContainerTestSupport.WaitUntilNoContainerAsync($"org.chaos.run-dir={Path.GetFullPath(output)}", TimeSpan.FromSeconds(10))).Should().BeEmpty();
    }

    /// <summary>
    /// kafka-rebalance with every node in a container: the zombie consumer is a container frozen through the cgroup
    /// freezer (docker pause) past its session timeout; the history shows the group rebalancing without it and the
    /// thawed zombie finding its partitions gone — and no promise broken by the handovers.
    /// </summary>
    [Fact(Timeout = 360_000)]
    public async Task KafkaRebalance_InContainers_APausedContainerIsAZombieConsumerInTheHistory()
    {
        await ContainerTestSupport.RequireDockerAsync();
        var output = Path.Combine(NewTempDirectory("crun"), "rebalance");

        var (code, stdout, stderr) = await RunChaosAsync(
            // at the load CI's runs drive (a quarter of the default): at the full load a crowded runner overloaded the
            // harness (schedule lag p99 110 ms) and the run ended undecided (docs/testing.md, "What CI runs")
            ["run", "kafka-rebalance", "--topology", "containers", "--seed", "1", "--duration", "25s", "--rate", "75", "--users", "125", "--out", output],
            TimeSpan.FromSeconds(330),
            TestContext.Current.CancellationToken);

        await ShouldHoldEveryCorrectnessPromiseAsync(output, code, stdout, stderr, "kafka-rebalance");
        var history = await File.ReadAllLinesAsync(Path.Combine(output, "history.jsonl"), TestContext.Current.CancellationToken);
        string? target = null;
        foreach (var line in history)
        {
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            if (e.GetProperty("process").GetString() == "nemesis" && e.GetProperty("f").GetString() == "fault" && e.GetProperty("type").GetString() == "ok"
                && e.GetProperty("value").GetProperty("fault").GetString() == "zombie-consumer")
            {
                target = e.GetProperty("value").GetProperty("target").GetString();
                break;
            }
        }

        target.Should().NotBeNull("the zombie fault was applied");
        history.Should().Contain(line => line.Contains("\"f\":\"verify\"", StringComparison.Ordinal)
            && line.Contains($"zombie consumer {target}", StringComparison.Ordinal)
            && line.Contains("evicted while frozen, the group rebalanced without it", StringComparison.Ordinal));
        (await File.ReadAllTextAsync(Path.Combine(output, "logs", target + ".log"), TestContext.Current.CancellationToken))
            .Should().Contain("start #1: container chaos-", "the frozen consumer was a container");
        (await ContainerTestSupport.WaitUntilNoContainerAsync($"org.chaos.run-dir={Path.GetFullPath(output)}", TimeSpan.FromSeconds(10))).Should().BeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_WithContainersTopologyAndNoDockerEngine_Exits2SayingWhatIsMissingBeforeStartingAnything()
    {
        var output = Path.Combine(NewTempDirectory("crun"), "nodocker");

        var (code, _, stderr) = await RunChaosAsync(
            ["run", "steady-state", "--topology", "containers", "--out", output],
            TimeSpan.FromSeconds(50),
            TestContext.Current.CancellationToken,
            ("DOCKER_HOST", "unix:///nonexistent/docker.sock"));

        code.Should().Be(2);
        stderr.Should().Contain("no Docker engine answers at unix:///nonexistent/docker.sock").And.Contain("apt-get install docker.io").And.Contain("--topology processes");
        Directory.Exists(output).Should().BeFalse("nothing started");
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_WithContainersTopologyAndAMissingImage_Exits2NamingTheBuildScript()
    {
        await ContainerTestSupport.RequireDockerAsync();
        var output = Path.Combine(NewTempDirectory("crun"), "noimage");

        var (code, _, stderr) = await RunChaosAsync(
            ["run", "steady-state", "--topology", "containers", "--out", output],
            TimeSpan.FromSeconds(50),
            TestContext.Current.CancellationToken,
            ("CHAOS_CONTAINER_IMAGE", "chaos-app:no-such-tag"));

        code.Should().Be(2);
        stderr.Should().Contain("'chaos-app:no-such-tag' is not in the local Docker engine").And.Contain("deploy/containers/build-images.sh");
        Directory.Exists(output).Should().BeFalse("nothing started");
    }

    [Fact(Timeout = 60_000)]
    public async Task Run_WithAnUnknownTopology_IsAUsageError()
    {
        var (code, _, stderr) = await RunChaosAsync(["run", "steady-state", "--topology", "vms"], TimeSpan.FromSeconds(50), TestContext.Current.CancellationToken);

        code.Should().Be(2);
        stderr.Should().Contain("--topology 'vms' is not a topology");
    }

    /// <summary>
    /// Every correctness promise must hold. The latency SLO measures this machine as much as the system: on two cores
    /// shared by parallel builds a cold-JIT warm-up alone can exceed it, in either back-end. So a broken latency
    /// promise is tolerated (and reported); anything else broken, or a run that could not be carried out (exit 2 —
    /// which includes faults that did not take effect), fails the test.
    /// </summary>
    private static async Task ShouldHoldEveryCorrectnessPromiseAsync(string output, int code, string stdout, string stderr, string scenario)
    {
        code.Should().BeOneOf([0, 1], $"the run was carried out.\nstdout: {stdout}\nstderr: {stderr}");
        using var results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "results.json"), TestContext.Current.CancellationToken));
        // a promise the scenario does not require may be not exercised (retries, where no downstream fault made jobs retry)
        var broken = results.RootElement.GetProperty("promises").EnumerateArray()
            .Where(p => p.GetProperty("status").GetString() switch
            {
                "held" => false,
                "not-exercised" => p.GetProperty("required").GetBoolean(),
                _ => true,
            })
            .Select(p => p.GetProperty("name").GetString()!)
            .ToList();
        broken.Where(name => !name.Contains("latency", StringComparison.Ordinal)).Should().BeEmpty($"every correctness promise holds in containers.\nstdout: {stdout}");
        if (code == 1)
        {
            broken.Should().NotBeEmpty();
            TestContext.Current.SendDiagnosticMessage($"{scenario} in containers: only the latency SLO was missed here ({string.Join(", ", broken)}); see {output}/summary.md");
        }
    }

    private static async Task<(int Code, string Stdout, string Stderr)> RunChaosAsync(string[] args, TimeSpan timeout, CancellationToken cancellationToken, params (string Name, string Value)[] environment)
    {
        var psi = new ProcessStartInfo(Harness.Topology.ToolLocator.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = NewTempDirectory("cwd"),
        };
        psi.ArgumentList.Add(ChaosDll);
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

        psi.Environment[Harness.Topology.ParentWatch.EnvironmentVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Harness.Topology.Processes.ChildDiagnostics.TurnOff(psi); // a run killed by a test leaves no diagnostics files in /tmp
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, cancellationToken);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
