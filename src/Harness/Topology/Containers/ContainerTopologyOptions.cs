using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chaos.Harness.Topology.Containers;

/// <summary>Options of the containers back-end; checked by <see cref="Validate"/> before anything starts.</summary>
public sealed class ContainerTopologyOptions
{
    /// <summary>Overrides the image (default <see cref="DefaultImage"/>).</summary>
    public const string ImageVariable = "CHAOS_CONTAINER_IMAGE";

    /// <summary>The image deploy/containers/build-images.sh tags last.</summary>
    public const string DefaultImage = "chaos-app:latest";

    /// <summary>The run folder; logs go to <c>logs/</c> under it. Created if missing; mounted into every container at the same path.</summary>
    public required string RunDirectory { get; init; }

    /// <summary>Allow endpoints that are not loopback (<c>--allow-remote</c>).</summary>
    public bool AllowRemote { get; init; }

    /// <summary>The image every node runs in: env CHAOS_CONTAINER_IMAGE, else <see cref="DefaultImage"/>.</summary>
    public string Image { get; init; } = Environment.GetEnvironmentVariable(ImageVariable) is { Length: > 0 } image ? image : DefaultImage;

    /// <summary>Where the tools live in the image, and whether to run the host's builds instead.</summary>
    public ContainerImageLayout Layout { get; init; } = new();

    /// <summary>Remove labelled containers of dead harnesses (see <see cref="ContainerReaper"/>) when the topology is created.</summary>
    public bool ReapLeftovers { get; init; } = true;

    /// <summary>
    /// Start this harness's guard (<see cref="Processes.HarnessGuard"/>, one per harness process): when the harness is
    /// gone it kills every process carrying its mark (the nodes, seen through the host pid namespace) and unpauses its
    /// paused containers so that they die too.
    /// </summary>
    public bool GuardChildren { get; init; } = true;

    /// <summary>How long to wait for the engine to answer.</summary>
    public TimeSpan EngineTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Pause between health GETs while a node starts.</summary>
    public TimeSpan HealthPollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Timeout of one health GET.</summary>
    public TimeSpan HealthRequestTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long kill and dispose wait for an exit to be observed before they report an error.</summary>
    public TimeSpan ExitTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Throws <see cref="TopologyConfigurationException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(RunDirectory))
        {
            throw new TopologyConfigurationException(nameof(RunDirectory), "a run directory is required");
        }

        if (string.IsNullOrWhiteSpace(Image))
        {
            throw new TopologyConfigurationException(nameof(Image), "an image is required");
        }

        if (HealthPollInterval <= TimeSpan.Zero || HealthRequestTimeout <= TimeSpan.Zero || ExitTimeout <= TimeSpan.Zero || EngineTimeout <= TimeSpan.Zero)
        {
            throw new TopologyConfigurationException(nameof(ExitTimeout), "intervals and timeouts must be positive");
        }
    }
}
