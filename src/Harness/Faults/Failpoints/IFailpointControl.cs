using Chaos.Harness.Topology;

namespace Chaos.Harness.Faults.Failpoints;

/// <summary>
/// A system's failpoints, reached per node (docs/faults.md, "Failpoints"): the capability a system under test offers
/// through <see cref="Deployment.ISystemDeployment.Failpoints"/> so that a <see cref="FailpointFault"/> can crash,
/// delay or fail it at an exact point of its code. How a node is reached (paths, credentials) is the implementation's;
/// the reference system's is <c>Chaos.Reference.Adapter.ReferenceFailpoints</c>.
/// </summary>
/// <remarks>
/// A node that cannot be reached throws <see cref="HttpRequestException"/> (a crash racing the request is expected:
/// the fault then waits for the node's exit); a node that refuses the failpoint throws
/// <see cref="InvalidOperationException"/> with its answer.
/// </remarks>
public interface IFailpointControl
{
    /// <summary>Arms <paramref name="settings"/> on <paramref name="node"/>'s running incarnation.</summary>
    Task ArmAsync(ITopologyNode node, FailpointSettings settings, CancellationToken cancellationToken);

    /// <summary>How often the armed failpoint <paramref name="point"/> was hit since arming; null when it is not armed.</summary>
    Task<int?> HitsAsync(ITopologyNode node, string point, CancellationToken cancellationToken);

    /// <summary>Disarms <paramref name="point"/>; false when it was not armed.</summary>
    Task<bool> DisarmAsync(ITopologyNode node, string point, CancellationToken cancellationToken);
}
