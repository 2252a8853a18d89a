using System.Diagnostics;
using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Containers;
using Chaos.Harness.Topology.Processes;
using static Chaos.Harness.Tests.Topology.TopologyTestSupport;

namespace Chaos.Harness.Tests.Topology.Containers;

/// <summary>A stand-in harness on the containers back-end (the probe's containers-harness verb) is SIGKILLed.</summary>
// One at a time: another test's topology would reap this one's deliberate leftovers (regression: a flaky reaper test).
[Collection(ContainerRunCollection.Name)]
public sealed class ContainerCleanupTests
{
    [Fact(Timeout = 90_000)]
    public async Task A_SIGKILLed_harness_leaves_no_container_because_its_nodes_watch_CHAOS_PARENT_PID_across_the_host_pid_namespace()
    {
        // no guard: what is shown is the nodes' own watch
        await ContainerTestSupport.RequireDockerAsync();
        var (harness, run) = await StartStandInHarnessAsync("", "--no-guard");
        try
        {
            (await ContainerTestSupport.ContainersWithLabelsAsync($"org.chaos.run={run}")).Should().HaveCount(2);

            harness.Kill();
            await harness.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

            (await ContainerTestSupport.WaitUntilNoContainerAsync($"org.chaos.run={run}", TimeSpan.FromSeconds(15)))
                .Should().BeEmpty("each node exits within ~1 s of its harness and the engine then removes its container");
        }
        finally
        {
            await RemoveRunAsync(harness, run);
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task A_harness_stopped_by_SIGTERM_removes_its_containers_even_when_their_nodes_ignore_their_parent()
    {
        // no guard: what is shown is the harness's own signal handling
        await ContainerTestSupport.RequireDockerAsync();
        var (harness, run) = await StartStandInHarnessAsync("--no-parent-watch", "--no-guard");
        try
        {
            PosixSignals.Send(harness.Id, PosixSignals.SigTerm).Should().BeTrue();
            await harness.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

            (await ContainerTestSupport.WaitUntilNoContainerAsync($"org.chaos.run={run}", TimeSpan.FromSeconds(10))).Should().BeEmpty();
        }
        finally
        {
            await RemoveRunAsync(harness, run);
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task A_SIGKILLed_harness_s_guard_takes_down_its_paused_container_and_nodes_that_ignore_their_parent()
    {
        // a frozen container cannot die (cgroup freezer): the guard kills the marked processes, unpauses the harness's
        // paused containers so that the pending SIGKILL lands, and the engine removes them
        await ContainerTestSupport.RequireDockerAsync();
        var (harness, run) = await StartStandInHarnessAsync("--no-parent-watch", "--pause-first");
        try
        {
            (await ContainerTestSupport.ContainersWithLabelsAsync($"org.chaos.run={run}")).Should().HaveCount(2);
            (await PausedAsync(run)).Should().ContainSingle("node-1's container was paused before ready");

            harness.Kill();
            await harness.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

            (await ContainerTestSupport.WaitUntilNoContainerAsync($"org.chaos.run={run}", TimeSpan.FromSeconds(15)))
                .Should().BeEmpty("the guard kills what carries the harness's mark and thaws its paused containers");
        }
        finally
        {
            await RemoveRunAsync(harness, run);
        }
    }

    [Fact(Timeout = 90_000)]
    public async Task Containers_of_a_SIGKILLed_harness_that_ignore_their_parent_are_removed_by_the_reaper_at_the_next_start()
    {
        // no guard: the reaper is the backstop for a harness whose guard could not start
        await ContainerTestSupport.RequireDockerAsync();
        var (harness, run) = await StartStandInHarnessAsync("--no-parent-watch", "--no-guard");
        try
        {
            harness.Kill();
            await harness.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(2), TestContext.Current.CancellationToken); // the time in which watching nodes would have gone: these do not
            (await ContainerTestSupport.ContainersWithLabelsAsync($"org.chaos.run={run}")).Should().HaveCount(2, "nothing but the reaper removes these");

            await using (await ContainerTopology.CreateAsync(ContainerTestSupport.Options(reap: true), TestContext.Current.CancellationToken))
            {
                (await ContainerTestSupport.ContainersWithLabelsAsync($"org.chaos.run={run}")).Should().BeEmpty();
            }
        }
        finally
        {
            await RemoveRunAsync(harness, run);
        }
    }

    private static async Task<IReadOnlyList<string>> PausedAsync(string run)
    {
        var engine = await DockerEngine.ConnectAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        using var client = engine.CreateClient();
        var listed = await client.Containers.ListContainersAsync(
            new Docker.DotNet.Models.ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["label"] = new Dictionary<string, bool> { [$"org.chaos.run={run}"] = true },
                    ["status"] = new Dictionary<string, bool> { ["paused"] = true },
                },
            },
            TestContext.Current.CancellationToken);
        return [.. listed.Select(c => c.ID)];
    }

    private static async Task<(Process Harness, string Run)> StartStandInHarnessAsync(string serveArgs, params string[] harnessArgs)
    {
        var psi = new ProcessStartInfo(ToolLocator.DotnetHost())
        {
            ArgumentList = { ProbeDll, "containers-harness", "--run", NewTempDirectory("crun"), "--nodes", "2", "--serve-args", serveArgs },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in harnessArgs)
        {
            psi.ArgumentList.Add(argument);
        }

        ChildDiagnostics.TurnOff(psi); // the stand-in harness is SIGKILLed: no diagnostics files left in /tmp
        var harness = Process.Start(psi)!;
        harness.ErrorDataReceived += (_, _) => { };
        harness.BeginErrorReadLine();
        var seen = new List<string>();
        var run = (await WaitForLineAsync(harness.StandardOutput, "run ", TimeSpan.FromSeconds(30), seen))["run ".Length..];
        await WaitForLineAsync(harness.StandardOutput, "ready", TimeSpan.FromSeconds(60), seen);
        return (harness, run);
    }

    private static async Task RemoveRunAsync(Process harness, string run)
    {
        if (!harness.HasExited)
        {
            harness.Kill();
        }

        harness.Dispose();
        var engine = await DockerEngine.ConnectAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        using var client = engine.CreateClient();
        foreach (var id in await ContainerTestSupport.ContainersWithLabelsAsync($"org.chaos.run={run}"))
        {
            await ContainerReaper.RemoveAsync(client, id, CancellationToken.None);
        }
    }
}
