namespace Chaos.Harness.Tests.Topology.Containers;

/// <summary>
/// Whole runs in containers measure delivery latency against an SLO: they run alone, not beside other tests that
/// start containers on the same two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ContainerRunCollection
{
    public const string Name = "container runs";
}
