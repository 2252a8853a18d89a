using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>
/// The consumer group of a role is scaled in under load: one instance is terminated (SIGTERM: it closes its consumer
/// and leaves the group, which rebalances its partitions onto the others). Heal: the instance is started again and
/// rejoins.
/// </summary>
public sealed class ConsumerScaleInFault : IFault
{
    private readonly ITopologyNode _node;
    private bool _stopped;

    public ConsumerScaleInFault(ITopologyNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        _node = node;
    }

    public string Name => "scale-in";

    public string Target => _node.Name;

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        _stopped = true;
        await _node.TerminateAsync(null, cancellationToken);
    }

    public async Task HealAsync(CancellationToken cancellationToken)
    {
        if (_stopped && !_node.IsRunning)
        {
            await _node.RestartAsync(cancellationToken);
        }

        _stopped = false;
    }
}
