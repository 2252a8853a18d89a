using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chaos.Harness.Topology.Processes;

/// <summary>Options of the process back-end; checked by <see cref="Validate"/> before anything starts.</summary>
public sealed class ProcessTopologyOptions
{
    /// <summary>The run folder; logs go to <c>logs/</c> under it. Created if missing.</summary>
    public required string RunDirectory { get; init; }

    /// <summary>Allow endpoints that are not loopback (<c>--allow-remote</c>).</summary>
    public bool AllowRemote { get; init; }

    /// <summary>Where live topologies record their children for the reaper; default <see cref="ProcessReaper.DefaultStateDirectory"/>.</summary>
    public string? StateDirectory { get; init; }

    /// <summary>Reap leftovers of dead harnesses (see <see cref="ProcessReaper"/>) when the topology is created.</summary>
    public bool ReapLeftovers { get; init; } = true;

    /// <summary>
    /// Start this harness's guard (<see cref="HarnessGuard"/>, one per harness process): when the harness is gone it kills
    /// every process carrying its mark, including children that cannot watch it themselves (stopped by a pause fault).
    /// </summary>
    public bool GuardChildren { get; init; } = true;

    /// <summary>Start each node in its own session/process group (via setsid) so signals reach its whole tree.</summary>
    public bool UseProcessGroups { get; init; } = true;

    /// <summary>Pause between health GETs while a node starts.</summary>
    public TimeSpan HealthPollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Timeout of one health GET.</summary>
    public TimeSpan HealthRequestTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long kill and dispose wait for an exit to be observed before they report an error.</summary>
    public TimeSpan ExitTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Throws <see cref="TopologyConfigurationException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(RunDirectory))
        {
            throw new TopologyConfigurationException(nameof(RunDirectory), "a run directory is required");
        }

        if (HealthPollInterval <= TimeSpan.Zero)
        {
            throw new TopologyConfigurationException(nameof(HealthPollInterval), "must be positive");
        }

        if (HealthRequestTimeout <= TimeSpan.Zero)
        {
            throw new TopologyConfigurationException(nameof(HealthRequestTimeout), "must be positive");
        }

        if (ExitTimeout <= TimeSpan.Zero)
        {
            throw new TopologyConfigurationException(nameof(ExitTimeout), "must be positive");
        }
    }
}
