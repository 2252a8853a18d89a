using Chaos.Harness.Topology.Containers;

namespace Chaos.Harness.Tests.Topology.Containers;

/// <summary>
/// What a containers-topology node ran, captured now: the host pids its probe announced (host pid namespace) and the
/// containers of the node that exist now (by run and node label). Alive means one of those pids lives or one of
/// those containers still exists, even stopped.
/// </summary>
internal sealed class ContainerTrace : INodeTrace
{
    private readonly ProcessTrace pids;
    private readonly IReadOnlyList<string> containers;

    public ContainerTrace(ContainerTopology topology, string node)
    {
        pids = new ProcessTrace(TopologyTestSupport.PidsInLog(Path.Combine(topology.RunDirectory, "logs", node + ".log")));
        containers = ContainerTestSupport.ContainersWithLabelsAsync($"org.chaos.run={topology.RunId}", $"org.chaos.node={node}").GetAwaiter().GetResult();
    }

    public IReadOnlyList<string> Items => pids.Items;

    public async Task<IReadOnlyList<string>> StillAliveAfterAsync(TimeSpan within)
    {
        var alive = await pids.StillAliveAfterAsync(within);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var all = await ContainerTestSupport.ContainersWithLabelsAsync("org.chaos.topology");
            var left = containers.Where(all.Contains).ToList();
            if (left.Count == 0 || clock.Elapsed > within)
            {
                return [.. alive, .. left.Select(id => "container " + id[..12])];
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
