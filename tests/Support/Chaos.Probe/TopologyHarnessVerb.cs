using System.Globalization;
using System.Text.RegularExpressions;
using Chaos.Harness.Deployment;
using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Processes;

namespace Chaos.Probe;

/// <summary>
/// A stand-in harness: starts a process topology of --nodes N topology-serve children (in run dir --run, state dir
/// --state), prints "node NAME PID" and "grandchild PID" lines, then "ready", then waits until it is signalled.
/// --exit-after-ms N calls Environment.Exit N ms after "ready" (no dispose). --no-guard starts no HarnessGuard, so a
/// test sees what the harness itself (or ParentWatch, or the reaper) does. --storage-volume DIR mounts a run's storage
/// volume there (Deployment/StorageVolume: root only) after the topology starts, as a run does. --serve-args "a b c" passes extra arguments to every child (e.g. "--no-parent-watch --spawn-grandchild").
/// </summary>
internal sealed partial class TopologyHarnessVerb : IProbeVerb
{
    public string Name => "topology-harness";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var options = new TopologyArgs(args);
        var extra = (options.Value("serve-args") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var self = new LaunchCommand(Environment.ProcessPath!, [typeof(TopologyHarnessVerb).Assembly.Location]);
        await using var topology = new ProcessTopology(new ProcessTopologyOptions
        {
            RunDirectory = options.Value("run") ?? throw new ArgumentException("--run is required"),
            StateDirectory = options.Value("state") ?? throw new ArgumentException("--state is required"),
            ReapLeftovers = false,
            GuardChildren = !options.Flag("no-guard"),
        });
        var specs = Enumerable.Range(1, options.Int("nodes", 2)).Select(i =>
            NodeSpec.For($"node-{i}", "probe", self, ["topology-serve", .. extra]) with
            {
                Readiness = ReadinessCheck.LineThenHttp(@"^listening: (?<endpoint>\S+)$", "/healthz"),
            });
        using var volume = options.Value("storage-volume") is { } mountPoint ? StorageVolume.Mount(mountPoint, 1024 * 1024) : null;
        var nodes = await topology.LaunchAllAsync(specs, cancellationToken);
        foreach (var node in nodes)
        {
            await Console.Out.WriteLineAsync($"node {node.Name} {node.ProcessId!.Value.ToString(CultureInfo.InvariantCulture)}");
            foreach (var line in node.LogTail(50))
            {
                if (GrandchildLine().Match(line) is { Success: true } match)
                {
                    await Console.Out.WriteLineAsync($"grandchild {match.Groups[1].Value}");
                }
            }
        }

        await Console.Out.WriteLineAsync("ready");
        await Console.Out.FlushAsync(cancellationToken);
        if (options.Value("exit-after-ms") is { } exitAfter)
        {
            // Environment.Exit skips the `await using`: only AppDomain.ProcessExit can clean up now.
            await Task.Delay(int.Parse(exitAfter, CultureInfo.InvariantCulture), cancellationToken);
            Environment.Exit(5);
        }

        await Task.Delay(Timeout.Infinite, cancellationToken);
        return 0;
    }

    [GeneratedRegex(@"grandchild: (\d+)")]
    private static partial Regex GrandchildLine();
}
