using System.CommandLine;
using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Containers;

namespace Chaos.Scenarios.Commands;

/// <summary>
/// The <c>--topology</c> option that <c>run</c>, <c>replay</c> and <c>verify</c> share: where the system under test
/// runs, parsed as a usage error when unknown, and checked before anything starts.
/// </summary>
internal static class TopologyOption
{
    public static Option<string?> Create(string description) => new("--topology") { Description = description };

    /// <summary>The topology <paramref name="text"/> names (processes when null); a <see cref="UsageException"/> naming the known ones otherwise.</summary>
    public static TopologyKind Parse(string? text)
    {
        text ??= "processes";
        return TopologyFactory.TryParse(text, out var kind)
            ? kind
            : throw new UsageException($"--topology '{text}' is not a topology (known: {string.Join(", ", Enum.GetNames<TopologyKind>().Select(n => n.ToLowerInvariant()))})");
    }

    /// <summary>
    /// Whether <paramref name="kind"/> can run here; when not (a containers topology with no engine or no image), says
    /// what is missing on stderr, prefixed by <paramref name="verb"/>, and returns false (the caller exits 2).
    /// </summary>
    public static async Task<bool> EnsureAvailableAsync(string verb, TopologyKind kind, CancellationToken cancellationToken)
    {
        try
        {
            await TopologyFactory.EnsureAvailableAsync(kind, cancellationToken);
            return true;
        }
        catch (DockerUnavailableException e)
        {
            await Console.Error.WriteLineAsync($"chaos {verb}: --topology {kind.ToString().ToLowerInvariant()} cannot run here: {e.Message}");
            return false;
        }
    }
}
