using Chaos.Harness.Devices;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Deployment;

/// <summary>
/// A system under test as a run drives it (docs/architecture.md, "The adapter seam"): how it is deployed on a
/// topology, its api, and its device clients. The run reaches the system only through this; the reference system's is
/// <c>Chaos.Reference.Adapter.ReferenceSystemAdapter</c>, which the <c>chaos</c> tool passes
/// (<see cref="Runs.RunOptions.System"/>).
/// </summary>
public interface ISystemAdapter
{
    /// <summary>A short name for messages and reports (<c>reference</c>).</summary>
    string Name { get; }

    /// <summary>
    /// What the system offers beyond what every system does, as <see cref="Faults.Kinds.FaultCapabilities"/> names
    /// (<see cref="Faults.Kinds.FaultCapabilities.OfSystems"/>: failpoints, a downstream provider it calls, a SQLite store
    /// the harness may lock). A schedule naming a fault kind that needs one the system lacks is refused before anything
    /// starts, naming the entry.
    /// </summary>
    IReadOnlySet<string> Capabilities { get; }

    /// <summary>
    /// The defect switches the system offers (<c>--defect</c>): bugs planted behind a switch so that a run can measure
    /// whether the harness catches them (docs/defects.md). A system of your own usually has none.
    /// </summary>
    IReadOnlyList<string> Defects => [];

    /// <summary>The system's device clients (docs/architecture.md, "The device seam").</summary>
    IDeviceClientFactory Devices { get; }

    /// <summary>
    /// Checks that this system can meet <paramref name="requirements"/> — every role named is one it has, within the
    /// counts it supports — before anything starts; throws an <see cref="ArgumentException"/> naming what it cannot.
    /// </summary>
    void CheckRequirements(SystemRequirements requirements);

    /// <summary>
    /// The names the deployment meeting <paramref name="requirements"/> will have — nodes by role, topics, consumer
    /// groups, brokers — known before anything starts: scenarios draw fault targets from it and incident files are
    /// checked against it. Checks the requirements first (<see cref="CheckRequirements"/>).
    /// </summary>
    SystemShape ShapeFor(SystemRequirements requirements);

    /// <summary>
    /// Deploys the system on <paramref name="topology"/> (which owns every node it starts, and stops them) and waits
    /// until every node is ready; returns the deployment and an api client for it, owned by the caller.
    /// </summary>
    Task<DeployedSystem> DeployAsync(DeploymentRequest request, ITopology topology, CancellationToken cancellationToken);
}
