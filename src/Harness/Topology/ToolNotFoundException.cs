namespace Chaos.Harness.Topology;

/// <summary>A program the topology must launch (the chaos tool, Reference.System) was not found.</summary>
public sealed class ToolNotFoundException(string tool, IReadOnlyList<string> searched)
    : TopologyException($"{tool} not found; looked in: {string.Join(", ", searched)}")
{
    /// <summary>Where the locator looked, in order.</summary>
    public IReadOnlyList<string> Searched { get; } = searched;
}
