using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Processes;

namespace Chaos.Harness.Tests.Topology;

/// <summary>The topology contract on the process back-end.</summary>
public sealed class ProcessTopologyContractTests : TopologyContractTests
{
    protected override ITopology CreateTopology(bool allowRemote = false) => new ProcessTopology(TopologyTestSupport.Options(allowRemote));

    protected override NodeSpec Serve(string name, params string[] options) => TopologyTestSupport.Serve(name, options);

    protected override INodeTrace Trace(ITopology topology, string name) =>
        new ProcessTrace(TopologyTestSupport.PidsInLog(Path.Combine(topology.RunDirectory, "logs", name + ".log")));
}
