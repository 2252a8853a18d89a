using Chaos.Harness.Faults.Process;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>
/// <c>scale-in</c>: the consumer group of a role is scaled in under load: one instance is terminated (SIGTERM: it
/// closes its consumer and leaves the group, which rebalances its partitions onto the others). One of the node faults
/// (<see cref="ProcessFault"/>): the heal starts the instance again under the node's lock, and it rejoins.
/// </summary>
public sealed class ConsumerScaleInFault(ITopologyNode node) : ProcessFault(node)
{
    public override string Name => "scale-in";

    protected override async Task ApplyCoreAsync(CancellationToken cancellationToken)
    {
        await Node.TerminateAsync(null, cancellationToken);
        MarkExited();
    }
}
