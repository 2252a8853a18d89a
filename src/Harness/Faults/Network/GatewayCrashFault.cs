using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Network;

/// <summary>
/// The process behind a proxy (a gateway instance) is SIGKILLed: every connection through the proxy dies with it and
/// new ones are refused upstream. Heal restarts it on the same port and waits until it is ready; idempotent (a node
/// that runs is left alone).
/// </summary>
public sealed class GatewayCrashFault(ITopologyNode node) : IFault
{
    public string Name => "crash";

    public string Target => node.Name;

    /// <summary>The node's incarnation before the apply (null before apply).</summary>
    public int? IncarnationAtCrash { get; private set; }

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        IncarnationAtCrash = node.Incarnation;
        await node.KillAsync(cancellationToken);
    }

    public async Task HealAsync(CancellationToken cancellationToken)
    {
        if (!node.IsRunning)
        {
            await node.RestartAsync(cancellationToken);
        }
    }
}
