using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Containers;

namespace Chaos.Probe;

/// <summary>
/// A stand-in harness on the containers back-end: starts a topology (run dir --run, no reaping) with --nodes N
/// topology-serve nodes (each in a container; --serve-args "a b" passes extra arguments), prints "run RUNID", then
/// "ready", then waits until it is signalled. Tests SIGKILL it and look for its containers by run label. --no-guard
/// starts no HarnessGuard (a test sees what the nodes or the reaper do); --pause-first pauses node-1's container
/// (docker pause) before "ready", as the zombie-consumer fault does.
/// </summary>
internal sealed class ContainersHarnessVerb : IProbeVerb
{
    public string Name => "containers-harness";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var options = new TopologyArgs(args);
        var extra = (options.Value("serve-args") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var self = new LaunchCommand(Environment.ProcessPath!, [typeof(ContainersHarnessVerb).Assembly.Location]);
        await using var topology = await ContainerTopology.CreateAsync(
            new ContainerTopologyOptions
            {
                RunDirectory = options.Value("run") ?? throw new ArgumentException("--run is required"),
                ReapLeftovers = false,
                GuardChildren = !options.Flag("no-guard"),
            },
            cancellationToken);
        await Console.Out.WriteLineAsync($"run {topology.RunId}");
        var specs = Enumerable.Range(1, options.Int("nodes", 1)).Select(i =>
            NodeSpec.For($"node-{i}", "probe", self, ["topology-serve", .. extra]) with
            {
                Readiness = ReadinessCheck.LineThenHttp(@"^listening: (?<endpoint>\S+)$", "/healthz"),
            });
        var nodes = await topology.LaunchAllAsync(specs, cancellationToken);
        if (options.Flag("pause-first"))
        {
            await nodes[0].PauseAsync(cancellationToken);
        }

        await Console.Out.WriteLineAsync("ready");
        await Console.Out.FlushAsync(cancellationToken);
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return 0;
    }
}
