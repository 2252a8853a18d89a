using System.Runtime.ExceptionServices;
using Chaos.Harness.Topology.Processes;
using Microsoft.Extensions.Logging;

namespace Chaos.Harness.Topology;

/// <summary>Launching several nodes at once, the same for every back-end: all in parallel, and the first failure stops the rest.</summary>
internal static class NodeLaunches
{
    /// <summary>How many times one launch starts a node whose port was taken before it bound it.</summary>
    internal const int PortAttempts = 3;

    /// <summary>
    /// Launches one node with <paramref name="launchOnce"/> on ports from <see cref="ProcessTopology.AllocatePorts"/>, and
    /// when the start failed because a port was taken between the probe and the node's bind (<see cref="IsPortTaken"/>),
    /// again on fresh ports, at most <see cref="PortAttempts"/> times in all (docs/topology.md, "Ports"). Any other
    /// failure is thrown at once: a node that cannot start is the run's error, not something to retry away.
    /// </summary>
    public static async Task<ITopologyNode> LaunchOnFreePortsAsync(
        NodeSpec spec,
        Func<Dictionary<string, int>, Task<ITopologyNode>> launchOnce,
        ILogger logger)
    {
        for (var attempt = 1; ; attempt++)
        {
            var ports = ProcessTopology.AllocatePorts(spec);
            try
            {
                return await launchOnce(ports);
            }
            catch (TopologyException ex) when (ports.Count > 0 && attempt < PortAttempts && IsPortTaken(ex))
            {
                TopologyLog.PortTakenRetrying(logger, spec.Name, attempt + 1, PortAttempts);
            }
        }
    }

    /// <summary>Whether a failed start says a port was already bound: the process's own EADDRINUSE ("Address already in
    /// use", as .NET, Go, Node and libc print it) in its last output, or the container engine's "port is already allocated".</summary>
    internal static bool IsPortTaken(TopologyException failure) => failure switch
    {
        NodeExitedDuringStartupException exited => exited.LogTail.Any(SaysPortTaken),
        NodeStartupException => false,
        _ => failure.Message.Contains("port is already allocated", StringComparison.OrdinalIgnoreCase)
            || failure.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase),
    };

    /// <summary>Whether a line of a node's output is its own EADDRINUSE ("Address already in use").</summary>
    internal static bool SaysPortTaken(string line) => line.Contains("Address already in use", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Launches every spec with <paramref name="launch"/> at once. When one fails, the others are cancelled, those
    /// already up are killed with <paramref name="killQuietly"/>, and the root cause is thrown (not the cancellations
    /// it caused in the sibling launches).
    /// </summary>
    public static async Task<IReadOnlyList<ITopologyNode>> LaunchAllAsync(
        IEnumerable<NodeSpec> specs,
        Func<NodeSpec, CancellationToken, Task<ITopologyNode>> launch,
        Func<ITopologyNode, Task> killQuietly,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var list = specs.ToList();
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var launches = list.Select(async spec =>
        {
            try
            {
                return await launch(spec, failFast.Token);
            }
            catch
            {
                await failFast.CancelAsync();
                throw;
            }
        }).ToList();
        try
        {
            return await Task.WhenAll(launches);
        }
        catch
        {
            foreach (var started in launches.Where(l => l.IsCompletedSuccessfully))
            {
                await killQuietly(started.Result);
            }

            var root = launches.Where(l => l.IsFaulted).Select(l => l.Exception!.InnerException!)
                .FirstOrDefault(e => e is not OperationCanceledException);
            if (root is not null)
            {
                ExceptionDispatchInfo.Throw(root);
            }

            throw;
        }
    }
}
