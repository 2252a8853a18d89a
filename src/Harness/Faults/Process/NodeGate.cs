using System.Runtime.CompilerServices;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Process;

/// <summary>One lock per node, so that two faults healing the same node (a kill and a failpoint crash) never restart it twice at once.</summary>
internal static class NodeGate
{
    private static readonly ConditionalWeakTable<ITopologyNode, SemaphoreSlim> Gates = [];

    /// <summary>Resumes the node if paused and restarts it if down, under the node's lock; true when it restarted it.</summary>
    public static async Task<bool> ReviveAsync(ITopologyNode node, CancellationToken cancellationToken)
    {
        var gate = Gates.GetValue(node, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (node.State == NodeState.Paused)
            {
                await node.ResumeAsync(cancellationToken);
            }

            if (node.IsRunning)
            {
                return false;
            }

            await node.RestartAsync(cancellationToken);
            return true;
        }
        finally
        {
            gate.Release();
        }
    }
}
