using Microsoft.Extensions.Logging;

namespace Chaos.Harness.Topology.Containers;

/// <summary>Log messages of the containers back-end (event ids 1150-1179; node life cycle uses the topology's 1100-1106).</summary>
internal static partial class ContainerLog
{
    [LoggerMessage(1150, LogLevel.Warning, "Removed leftover container {Container} of node {Node} (harness {Harness} is gone)")]
    public static partial void ReapedContainer(ILogger logger, string container, string node, string harness);

    [LoggerMessage(1151, LogLevel.Information, "Containers topology on {Engine}, image {Image}, run label {Run}")]
    public static partial void Connected(ILogger logger, string engine, string image, string run);

    [LoggerMessage(1152, LogLevel.Warning, "The Docker event stream broke; reconnecting: {Reason}")]
    public static partial void EventStreamBroken(ILogger logger, string reason);

    [LoggerMessage(1153, LogLevel.Warning, "Could not remove container {Container}: {Reason}")]
    public static partial void RemoveFailed(ILogger logger, string container, string reason);
}
