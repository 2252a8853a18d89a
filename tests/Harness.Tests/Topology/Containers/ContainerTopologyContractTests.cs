using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Containers;

namespace Chaos.Harness.Tests.Topology.Containers;

/// <summary>
/// The topology contract on the containers back-end: the same probe nodes, each in its own container (host network,
/// host pids), the probe build mounted read-only. Skipped with the reason when Docker or the image is missing.
/// </summary>
// One at a time: another test's topology would reap this one's deliberate leftovers (regression: a flaky reaper test).
[Collection(ContainerRunCollection.Name)]
public sealed class ContainerTopologyContractTests : TopologyContractTests, IAsyncLifetime
{
    // Skip before the test body: some contract tests create the topology inside an assertion that expects another exception.
    public async ValueTask InitializeAsync() => await ContainerTestSupport.RequireDockerAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    protected override ITopology CreateTopology(bool allowRemote = false) =>
        ContainerTopology.CreateAsync(ContainerTestSupport.Options(allowRemote), TestContext.Current.CancellationToken).GetAwaiter().GetResult();

    protected override NodeSpec Serve(string name, params string[] options) => TopologyTestSupport.Serve(name, options);

    protected override INodeTrace Trace(ITopology topology, string name) => new ContainerTrace((ContainerTopology)topology, name);
}
