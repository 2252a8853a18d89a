namespace Chaos.Harness.Topology.Containers;

/// <summary>
/// A node's host command mapped into the container: the command line, and the host folders bind-mounted
/// (read-only) so that it can run.
/// </summary>
/// <param name="Command">The container's command (executable first).</param>
/// <param name="ReadOnlyMounts">Host folders mounted at the same path, read-only.</param>
public sealed record ContainerCommand(IReadOnlyList<string> Command, IReadOnlyList<string> ReadOnlyMounts);
