using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace Chaos.Harness.Topology.Containers;

/// <summary>
/// Removes containers of the containers topology whose harness is gone (a harness that was SIGKILLed, crashed, or ran
/// on an earlier boot): every container carries <see cref="ContainerLabels.Harness"/>, and one whose harness is not
/// this boot's live process with that pid and start time is force-removed. Containers of live harnesses are left alone.
/// We do this ourselves instead of Testcontainers' Ryuk because Ryuk's image cannot be pulled everywhere.
/// </summary>
public static class ContainerReaper
{
    /// <summary>Force-removes the labelled containers of dead harnesses; returns how many.</summary>
    public static async Task<int> ReapAsync(IDockerClient client, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(logger);
        var removed = 0;
        foreach (var container in await ListAsync(client, ContainerLabels.Topology, cancellationToken))
        {
            container.Labels.TryGetValue(ContainerLabels.Harness, out var harness);
            if (ContainerLabels.HarnessIsAlive(harness))
            {
                continue;
            }

            if (await RemoveAsync(client, container.ID, cancellationToken))
            {
                removed++;
                container.Labels.TryGetValue(ContainerLabels.Node, out var node);
                ContainerLog.ReapedContainer(logger, container.ID[..12], node ?? "?", harness ?? "?");
            }
        }

        return removed;
    }

    /// <summary>Every container (running or not) carrying <paramref name="label"/> (<c>key</c> or <c>key=value</c>).</summary>
    internal static async Task<IList<ContainerListResponse>> ListAsync(IDockerClient client, string label, CancellationToken cancellationToken) =>
        await client.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [label] = true } },
            },
            cancellationToken);

    /// <summary>Force-removes one container; false when it was already gone (or is being removed by the engine).</summary>
    internal static async Task<bool> RemoveAsync(IDockerClient client, string id, CancellationToken cancellationToken)
    {
        try
        {
            await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, cancellationToken);
            return true;
        }
        catch (DockerContainerNotFoundException)
        {
            return false;
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            return false; // removal already in progress (auto-remove)
        }
    }
}
