namespace Chaos.Harness.Topology;

/// <summary>A node was still not ready when its startup timeout ran out (it has been killed).</summary>
public sealed class NodeStartupTimeoutException(string node, TimeSpan timeout, string waitingFor, IReadOnlyList<string> logTail)
    : NodeStartupException(node, $"node '{node}' was not ready within {timeout.TotalSeconds:0.###} s (waiting for {waitingFor}); it has been killed", logTail)
{
    /// <summary>The startup timeout that ran out.</summary>
    public TimeSpan Timeout { get; } = timeout;
}
