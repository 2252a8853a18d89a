using Chaos.Harness.Topology.Containers;
using Chaos.Harness.Topology.Processes;

namespace Chaos.Harness.Topology;

/// <summary>Creates the topology back-end a run asked for; the one place that knows every back-end.</summary>
public static class TopologyFactory
{
    /// <summary>Parses <c>processes</c> or <c>containers</c> (case-insensitive).</summary>
    public static bool TryParse(string? text, out TopologyKind kind) =>
        Enum.TryParse(text, ignoreCase: true, out kind) && Enum.IsDefined(kind) && !int.TryParse(text, out _);

    /// <summary>
    /// Checks, before anything starts, that the back-end can run here; throws <see cref="DockerUnavailableException"/>
    /// saying what is missing and how to get it (containers: an engine and the app image). Processes always can.
    /// </summary>
    public static async Task EnsureAvailableAsync(TopologyKind kind, CancellationToken cancellationToken)
    {
        if (kind == TopologyKind.Containers)
        {
            var image = new ContainerTopologyOptions { RunDirectory = "." }.Image;
            await ContainerTopology.CheckAvailableAsync(image, TimeSpan.FromSeconds(5), cancellationToken);
        }
    }

    /// <summary>A new topology of <paramref name="kind"/> for the run folder <paramref name="runDirectory"/>.</summary>
    public static async Task<ITopology> CreateAsync(TopologyKind kind, string runDirectory, bool allowRemote, CancellationToken cancellationToken) =>
        kind switch
        {
            TopologyKind.Processes => new ProcessTopology(new ProcessTopologyOptions { RunDirectory = runDirectory, AllowRemote = allowRemote }),
            TopologyKind.Containers => await ContainerTopology.CreateAsync(new ContainerTopologyOptions { RunDirectory = runDirectory, AllowRemote = allowRemote }, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown topology"),
        };
}
