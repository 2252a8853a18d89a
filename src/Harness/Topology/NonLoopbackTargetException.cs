namespace Chaos.Harness.Topology;

/// <summary>A target address is not loopback and remote targets were not allowed (<c>--allow-remote</c>).</summary>
public sealed class NonLoopbackTargetException(string target, string context)
    : TopologyException($"refusing non-loopback target '{target}' ({context}): load and faults only go to 127.0.0.0/8, ::1 or localhost unless --allow-remote is given")
{
    /// <summary>The refused target as given.</summary>
    public string Target { get; } = target;
}
