using System.Globalization;
using Chaos.Harness.Faults.Process;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>
/// <c>zombie-consumer</c>: one instance is frozen (SIGSTOP of its whole process tree) for longer than the group's
/// session timeout, so the coordinator evicts it and rebalances its partitions onto the others; at the heal it is
/// thawed (SIGCONT) and wakes up believing it still owns its partitions — with a batch in hand, perhaps, and offsets to
/// commit. The schedule's duration must exceed the session timeout for the eviction to happen; <see cref="FrozenFor"/>
/// says how long it really was. One of the node faults (<see cref="ProcessFault"/>): the heal resumes it under the
/// node's lock (and restarts it should it have died meanwhile).
/// </summary>
public sealed class ZombieConsumerFault(ITopologyNode node, TimeProvider? time = null) : ProcessFault(node)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long? _pausedAt;

    public override string Name => "zombie-consumer";

    /// <summary>How long the last freeze lasted (set by the heal).</summary>
    public TimeSpan? FrozenFor { get; private set; }

    public override async Task HealAsync(CancellationToken cancellationToken)
    {
        await base.HealAsync(cancellationToken);
        if (_pausedAt is { } pausedAt)
        {
            FrozenFor = _time.GetElapsedTime(pausedAt);
            _pausedAt = null;
        }
    }

    protected override async Task ApplyCoreAsync(CancellationToken cancellationToken)
    {
        _pausedAt = _time.GetTimestamp();
        await Node.PauseAsync(cancellationToken);
    }

    protected override string Describe() => FrozenFor is { } frozen
        ? string.Create(CultureInfo.InvariantCulture, $"incarnation {HitIncarnation} frozen {frozen.TotalSeconds:0.0}s")
        : string.Create(CultureInfo.InvariantCulture, $"incarnation {HitIncarnation} frozen");
}
