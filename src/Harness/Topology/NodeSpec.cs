using System.Text.RegularExpressions;

namespace Chaos.Harness.Topology;

/// <summary>
/// What to launch for one node. Arguments and environment values may contain <c>{port}</c> or
/// <c>{port:name}</c>: the topology replaces each with a free loopback port (the same one on every restart),
/// and the port is also an endpoint <c>http://127.0.0.1:PORT</c> of that name (<c>{port}</c> means
/// <c>{port:endpoint}</c>) unless the ready line announces one of the same name.
/// </summary>
public sealed partial record NodeSpec
{
    /// <summary>Unique within the topology; letters, digits, '.', '_' and '-' (it names the log file).</summary>
    public required string Name { get; init; }

    /// <summary>A free-form role label (kafka, api, gateway, notifier, jobs, proxy, ...).</summary>
    public string Role { get; init; } = "node";

    /// <summary>The executable: a path, or a name found on PATH (e.g. <c>dotnet</c>).</summary>
    public required string FileName { get; init; }

    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Extra environment variables (the harness's own environment is inherited).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Working directory; null means the run directory.</summary>
    public string? WorkingDirectory { get; init; }

    public ReadinessCheck Readiness { get; init; } = ReadinessCheck.None;

    /// <summary>How long a start may take until the node is ready.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long terminate waits after SIGTERM before it sends SIGKILL.</summary>
    public TimeSpan TerminateGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A spec running <paramref name="command"/> followed by <paramref name="arguments"/>.</summary>
    public static NodeSpec For(string name, string role, LaunchCommand command, params IEnumerable<string> arguments) =>
        new() { Name = name, Role = role, FileName = command.FileName, Arguments = [.. command.Arguments, .. arguments] };

    /// <summary>Checks the spec; throws <see cref="TopologyConfigurationException"/> naming the bad field.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || !NamePattern().IsMatch(Name))
        {
            throw new TopologyConfigurationException(nameof(Name), $"node name '{Name}' must be 1-64 letters, digits, '.', '_' or '-'");
        }

        if (string.IsNullOrWhiteSpace(FileName))
        {
            throw new TopologyConfigurationException(nameof(FileName), $"node '{Name}' has no executable");
        }

        if (StartupTimeout <= TimeSpan.Zero)
        {
            throw new TopologyConfigurationException(nameof(StartupTimeout), $"node '{Name}': startup timeout must be positive, was {StartupTimeout}");
        }

        if (TerminateGrace < TimeSpan.Zero)
        {
            throw new TopologyConfigurationException(nameof(TerminateGrace), $"node '{Name}': terminate grace must not be negative, was {TerminateGrace}");
        }

        if (WorkingDirectory is not null && !Directory.Exists(WorkingDirectory))
        {
            throw new TopologyConfigurationException(nameof(WorkingDirectory), $"node '{Name}': working directory '{WorkingDirectory}' does not exist");
        }

        if (Readiness.HealthPath is { } path && !path.StartsWith('/'))
        {
            throw new TopologyConfigurationException(nameof(ReadinessCheck.HealthPath), $"node '{Name}': health path '{path}' must start with '/'");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex NamePattern();
}
