using Chaos.Harness.Deployment;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>
/// Duplicate events by a rewound group: every instance of a consumer role is stopped (SIGTERM, so the group empties and
/// nothing overwrites the commit), the group's committed offsets are moved back by <c>records</c> per partition, and
/// the instances are started again — they re-read records they had already processed. Instantaneous: the heal only
/// makes sure every stopped instance runs again. <see cref="Rewound"/> says how many records the group reads again.
/// </summary>
public sealed class OffsetRewindFault : IFault
{
    private readonly ISystemDeployment _system;
    private readonly string _topic;
    private readonly int _records;
    private readonly List<ITopologyNode> _stopped = [];

    public OffsetRewindFault(ISystemDeployment system, string role, int records)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentOutOfRangeException.ThrowIfLessThan(records, 1);
        (_topic, Group) = system.Kafka.GroupOf(role) is { } group
            ? (group.Topic, group.Group)
            : throw new ArgumentException($"'{role}' has no consumer group to rewind ({string.Join(" or ", system.Kafka.ConsumerGroups.Select(g => g.Role))})", nameof(role));
        _system = system;
        Role = role;
        _records = records;
    }

    public string Name => "offset-rewind";

    public string Target => Role;

    public string Role { get; }

    public string Group { get; }

    /// <summary>Records the group will read again (set by the apply).</summary>
    public long Rewound { get; private set; }

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var members = _system.InstancesOf(Role).Where(n => n.IsRunning).ToList();
        await Task.WhenAll(members.Select(async n =>
        {
            await n.TerminateAsync(null, cancellationToken);
            lock (_stopped)
            {
                _stopped.Add(n);
            }
        }));
        Rewound = await Task.Run(() => GroupOffsets.Rewind(_system.Kafka.BootstrapServers, Group, _topic, _records), cancellationToken);
        await StartStoppedAsync(cancellationToken);
    }

    public Task HealAsync(CancellationToken cancellationToken) => StartStoppedAsync(cancellationToken);

    private async Task StartStoppedAsync(CancellationToken cancellationToken)
    {
        ITopologyNode[] stopped;
        lock (_stopped)
        {
            stopped = [.. _stopped];
            _stopped.Clear();
        }

        await Task.WhenAll(stopped.Where(n => !n.IsRunning).Select(n => n.RestartAsync(cancellationToken)));
    }
}
