using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Containers;
using Docker.DotNet.Models;

namespace Chaos.Harness.Tests.Topology.Containers;

/// <summary>
/// Whether the container tests can run here (a Docker engine and the app image), and helpers to look at the engine.
/// Without them the tests skip, saying what is missing: start Docker and run deploy/containers/build-images.sh.
/// </summary>
internal static class ContainerTestSupport
{
    private static readonly Lazy<Task<string?>> Unavailable = new(FindWhyUnavailableAsync);

    /// <summary>Set to 1 (CI with containers on) to fail instead of skipping when Docker or the image is missing.</summary>
    public const string RequireVariable = "CHAOS_REQUIRE_DOCKER";

    /// <summary>Skips the calling test, with the reason, when no engine answers or the image is missing.</summary>
    public static async Task RequireDockerAsync()
    {
        if (await Unavailable.Value is { } reason)
        {
            var message = "containers topology tests need Docker and the app image: " + reason;
            if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
            {
                Assert.Fail(message);
            }

            Assert.Skip(message);
        }
    }

    /// <summary>Options for a fresh run folder; the probe and other test builds run from the host, mounted read-only.</summary>
    public static ContainerTopologyOptions Options(bool allowRemote = false, bool reap = false) => new()
    {
        RunDirectory = TopologyTestSupport.NewTempDirectory("crun"),
        AllowRemote = allowRemote,
        ReapLeftovers = reap,
    };

    public static async Task<ContainerTopology> CreateAsync(bool allowRemote = false)
    {
        await RequireDockerAsync();
        return await ContainerTopology.CreateAsync(Options(allowRemote), TestContext.Current.CancellationToken);
    }

    /// <summary>Ids of the containers (running or not) that carry every one of <paramref name="labels"/> (<c>key</c> or <c>key=value</c>).</summary>
    public static async Task<IReadOnlyList<string>> ContainersWithLabelsAsync(params string[] labels)
    {
        var engine = await DockerEngine.ConnectAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        using var client = engine.CreateClient();
        var list = await client.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = labels.ToDictionary(l => l, _ => true) },
            },
            CancellationToken.None);
        return [.. list.Select(c => c.ID)];
    }

    /// <summary>Waits (bounded) until no container carries <paramref name="label"/>; returns those still there.</summary>
    public static async Task<IReadOnlyList<string>> WaitUntilNoContainerAsync(string label, TimeSpan within)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var left = await ContainersWithLabelsAsync(label);
            if (left.Count == 0 || clock.Elapsed > within)
            {
                return left;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }

    private static async Task<string?> FindWhyUnavailableAsync()
    {
        try
        {
            await ContainerTopology.CheckAvailableAsync(new ContainerTopologyOptions { RunDirectory = "/" }.Image, TimeSpan.FromSeconds(5), CancellationToken.None);
            return null;
        }
        catch (TopologyException ex)
        {
            return ex.Message;
        }
    }
}
