using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>
/// A zombie consumer: one instance is frozen (SIGSTOP of its whole process tree) for longer than the group's session
/// timeout, so the coordinator evicts it and rebalances its partitions onto the others; at the heal it is thawed
/// (SIGCONT) and wakes up believing it still owns its partitions — with a batch in hand, perhaps, and offsets to commit.
/// The schedule's duration must exceed the session timeout for the eviction to happen; <see cref="FrozenFor"/> says
/// how long it really was.
/// </summary>
public sealed class ZombieConsumerFault : IFault
{
    private readonly ITopologyNode _node;
    private readonly TimeProvider _time;
    private long? _pausedAt;

    public ZombieConsumerFault(ITopologyNode node, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(node);
        _node = node;
        _time = time ?? TimeProvider.System;
    }

    public string Name => "zombie-consumer";

    public string Target => _node.Name;

    /// <summary>How long the last freeze lasted (set by the heal).</summary>
    public TimeSpan? FrozenFor { get; private set; }

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        _pausedAt = _time.GetTimestamp();
        await _node.PauseAsync(cancellationToken);
    }

    public async Task HealAsync(CancellationToken cancellationToken)
    {
        if (_pausedAt is not { } pausedAt)
        {
            return;
        }

        if (_node.IsRunning)
        {
            await _node.ResumeAsync(cancellationToken);
        }

        FrozenFor = _time.GetElapsedTime(pausedAt);
        _pausedAt = null;
    }
}
