using Chaos.Harness.Faults.Process;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Network;

/// <summary>
/// <c>crash</c>: the process behind a proxy (a gateway instance) is SIGKILLed: every connection through the proxy dies
/// with it and new ones are refused upstream. One of the node faults (<see cref="ProcessFault"/>): the heal restarts it
/// on the same port under the node's lock and waits until it is ready (a node that runs is left alone), and the outcome
/// names the incarnation that died and the one that came back.
/// </summary>
public sealed class GatewayCrashFault(ITopologyNode node) : ProcessFault(node)
{
    public override string Name => "crash";

    protected override async Task ApplyCoreAsync(CancellationToken cancellationToken)
    {
        await Node.KillAsync(cancellationToken);
        MarkExited();
    }
}
