using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Containers;

namespace Chaos.Harness.Tests.Topology.Containers;

/// <summary>
/// The topology contract on the containers back-end: the same probe nodes, each in its own container (host network,
/// host pids), the probe build mounted read-only. Skipped with the reason when Docker or the image is missing.
/// </summary>
public sealed class ContainerTopologyContractTests : TopologyContractTests
{
    protected override ITopology CreateTopology(bool allowRemote = false) =>
        ContainerTestSupport.CreateAsync(allowRemote).GetAwaiter().GetResult();

    protected override NodeSpec Serve(string name, params string[] options) => TopologyTestSupport.Serve(name, options);

    protected override INodeTrace Trace(ITopology topology, string name) => new ContainerTrace((ContainerTopology)topology, name);
}
