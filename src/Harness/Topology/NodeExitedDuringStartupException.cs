namespace Chaos.Harness.Topology;

/// <summary>A node exited before it became ready.</summary>
public sealed class NodeExitedDuringStartupException(string node, int exitCode, IReadOnlyList<string> logTail)
    : NodeStartupException(node, $"node '{node}' exited with code {exitCode} before it was ready", logTail)
{
    /// <summary>The exit code of the failed start.</summary>
    public int ExitCode { get; } = exitCode;
}
