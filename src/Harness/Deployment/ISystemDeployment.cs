using Chaos.Harness.Faults.Failpoints;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Deployment;

/// <summary>
/// A deployed system under test as a run sees it (docs/architecture.md, "The deployment seam"): its nodes by role, the
/// Kafka it uses, where its devices connect, the database its nodes share. Scenarios, faults and the run reach the
/// deployment only through this; how it was started — programs, arguments, credentials, instance counts — is the
/// implementation's. An <see cref="ISystemAdapter"/> makes one; the reference system's is
/// <c>Chaos.Reference.Adapter.ReferenceSystemDeployment</c>.
/// </summary>
/// <remarks>The topology owns every node's process; a deployment only knows which node is what.</remarks>
public interface ISystemDeployment
{
    /// <summary>The system's nodes started with the deployment, in start order; the Kafka host is not among them.</summary>
    IReadOnlyList<ITopologyNode> Nodes { get; }

    /// <summary>Every instance of <paramref name="role"/>: those started with the deployment, then those launched since.</summary>
    IReadOnlyList<ITopologyNode> InstancesOf(string role);

    /// <summary>
    /// Launches one more instance of <paramref name="role"/> as a new topology node, configured like the others, and
    /// waits until it is ready (a consumer group's scale-out). The topology owns and stops it.
    /// </summary>
    Task<ITopologyNode> LaunchInstanceAsync(string role, CancellationToken cancellationToken);

    /// <summary>The Kafka cluster the system uses, its topics and consumer groups.</summary>
    SystemKafka Kafka { get; }

    /// <summary>The role whose instances serve devices: <see cref="DeviceEndpoints"/>[i] is served by <see cref="InstancesOf"/>(this)[i].</summary>
    string DeviceRole { get; }

    /// <summary>Where a device connects: one endpoint per instance of <see cref="DeviceRole"/> started with the deployment, in instance order.</summary>
    IReadOnlyList<Uri> DeviceEndpoints { get; }

    /// <summary>
    /// The database the nodes share as <c>sqlite:PATH</c> or <c>postgres:CONNECTION</c> (storage faults act on it);
    /// null when the system keeps none the harness may reach.
    /// </summary>
    string? Database { get; }

    /// <summary>The system's failpoints (the <c>failpoint</c> fault kind); null when it offers none.</summary>
    IFailpointControl? Failpoints { get; }
}
