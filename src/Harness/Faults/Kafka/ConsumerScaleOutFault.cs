using Chaos.Harness.Sut;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>
/// The consumer group of a role (notifier or jobs) is scaled out under load: one more instance is launched as a new
/// topology node and joins the group, which rebalances. The apply completes once the new member has been assigned
/// partitions (its <c>refsys.consumer.assignments</c> metric), so an applied scale-out is one the group really took in;
/// it fails when that does not happen within <see cref="JoinTimeout"/>. Heal: the added instance is terminated (SIGTERM,
/// so it leaves the group), and the group rebalances again.
/// </summary>
public sealed class ConsumerScaleOutFault : IFault
{
    private readonly ReferenceSystemDeployment _system;
    private ITopologyNode? _added;

    public ConsumerScaleOutFault(ReferenceSystemDeployment system, string role)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (role is not ("notifier" or "jobs"))
        {
            throw new ArgumentException($"'{role}' has no consumer group to scale (notifier or jobs)", nameof(role));
        }

        _system = system;
        Role = role;
    }

    public string Name => "scale-out";

    public string Target => Role;

    public string Role { get; }

    /// <summary>The instance launched by the apply, once it is ready.</summary>
    public ITopologyNode? Added => _added;

    /// <summary>How long the apply waits for the new member's first assignment (the mock's rebalances are slow).</summary>
    public TimeSpan JoinTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        var node = await _system.LaunchInstanceAsync(Role, cancellationToken);
        _added = node;
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(JoinTimeout);
        try
        {
            while ((await RoleMetrics.TryReadAsync(node, bound.Token))?.Counter("refsys.consumer.assignments") is not > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), bound.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{node.Name} was not assigned any partition within {JoinTimeout.TotalSeconds:0}s of joining the {Role} group");
        }
    }

    public async Task HealAsync(CancellationToken cancellationToken)
    {
        if (_added is { IsRunning: true } node)
        {
            await node.TerminateAsync(null, cancellationToken);
        }
    }
}
