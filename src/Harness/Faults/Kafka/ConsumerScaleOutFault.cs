using System.Globalization;
using Chaos.Harness.Deployment;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>
/// The consumer group of a role (notifier or jobs) is scaled out under load: one more instance is launched as a new
/// topology node (the apply completes when it is ready) and joins the group, which rebalances. Heal: the added instance
/// is terminated (SIGTERM, so it leaves the group), and the group rebalances again.
/// </summary>
public sealed class ConsumerScaleOutFault : IFault, IFaultOutcome
{
    private readonly ISystemDeployment _system;
    private readonly Func<ITopologyNode, CancellationToken, Task<long?>>? _assignmentsOf;
    private ITopologyNode? _added;

    /// <param name="system">The deployment whose role is scaled.</param>
    /// <param name="role">A role with a consumer group (<see cref="SystemKafka.GroupOf"/>).</param>
    /// <param name="assignmentsOf">
    /// Reads how many partition assignments a member has received, from the system's own metrics (the evidence of
    /// <see cref="AssignmentsAtHeal"/>); null: the system publishes none, and it stays unread.
    /// </param>
    public ConsumerScaleOutFault(ISystemDeployment system, string role, Func<ITopologyNode, CancellationToken, Task<long?>>? assignmentsOf = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (system.Kafka.GroupOf(role) is null)
        {
            throw new ArgumentException($"'{role}' has no consumer group to scale ({string.Join(" or ", system.Kafka.ConsumerGroups.Select(g => g.Role))})", nameof(role));
        }

        _system = system;
        Role = role;
        _assignmentsOf = assignmentsOf;
    }

    public string Name => "scale-out";

    public string Target => Role;

    public string Role { get; }

    /// <summary>The instance launched by the apply, once it is ready.</summary>
    public ITopologyNode? Added => _added;

    /// <summary>
    /// Partition assignments the added member had received when the heal stopped it (null: not read). On the mock a
    /// join takes a rebalance delay of session timeout − 1 s, longer when another member is frozen, so a short
    /// scale-out may be undone before the member was ever assigned anything; this says whether it was.
    /// </summary>
    public long? AssignmentsAtHeal { get; private set; }

    /// <inheritdoc/>
    public string? Outcome => _added is not { } added
        ? null
        : AssignmentsAtHeal is { } assignments
            ? string.Create(CultureInfo.InvariantCulture, $"{added.Name} joined the {Role} group; {assignments} partition assignments when the heal stopped it")
            : $"{added.Name} joined the {Role} group";

    public async Task ApplyAsync(CancellationToken cancellationToken) =>
        _added = await _system.LaunchInstanceAsync(Role, cancellationToken);

    public async Task HealAsync(CancellationToken cancellationToken)
    {
        if (_added is { IsRunning: true } node)
        {
            if (_assignmentsOf is not null)
            {
                AssignmentsAtHeal = await _assignmentsOf(node, cancellationToken);
            }

            await node.TerminateAsync(null, cancellationToken);
        }
    }
}
