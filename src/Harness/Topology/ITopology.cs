namespace Chaos.Harness.Topology;

/// <summary>
/// Owns every node of a run: launches them from specs, hands out control handles, and on dispose
/// stops them all. Back-ends: processes (<see cref="Processes.ProcessTopology"/>) and, later, containers.
/// </summary>
public interface ITopology : IAsyncDisposable
{
    /// <summary>The run folder; node output goes to <c>logs/&lt;node&gt;.log</c> under it.</summary>
    string RunDirectory { get; }

    /// <summary>Whether targets that are not loopback are allowed (<c>--allow-remote</c>).</summary>
    bool AllowRemote { get; }

    /// <summary>The nodes launched so far (including ones that have exited), in launch order.</summary>
    IReadOnlyList<ITopologyNode> Nodes { get; }

    /// <summary>The node named <paramref name="name"/>; throws <see cref="KeyNotFoundException"/> when there is none.</summary>
    ITopologyNode GetNode(string name);

    /// <summary>
    /// Starts a node and waits until it is ready (its ready line, then its health check). On any failure the node
    /// is killed before the error is thrown: <see cref="NodeStartupTimeoutException"/>,
    /// <see cref="NodeExitedDuringStartupException"/>, <see cref="NonLoopbackTargetException"/>.
    /// </summary>
    Task<ITopologyNode> LaunchAsync(NodeSpec spec, CancellationToken cancellationToken);

    /// <summary>Launches several nodes concurrently; when one fails, the others of this call are killed too.</summary>
    Task<IReadOnlyList<ITopologyNode>> LaunchAllAsync(IEnumerable<NodeSpec> specs, CancellationToken cancellationToken);
}
