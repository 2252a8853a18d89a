using Microsoft.Extensions.Logging;

namespace Chaos.Harness.Topology;

/// <summary>Log messages of the topology (event ids 1100-1199).</summary>
internal static partial class TopologyLog
{
    [LoggerMessage(1100, LogLevel.Information, "Node {Node} started (incarnation {Incarnation}, pid {Pid}): {Command}")]
    public static partial void NodeStarted(ILogger logger, string node, int incarnation, int pid, string command);

    [LoggerMessage(1101, LogLevel.Information, "Node {Node} is ready: {Endpoints}")]
    public static partial void NodeReady(ILogger logger, string node, string endpoints);

    [LoggerMessage(1102, LogLevel.Information, "Node {Node} exited with code {ExitCode} (expected: {Expected})")]
    public static partial void NodeExited(ILogger logger, string node, int exitCode, bool expected);

    [LoggerMessage(1103, LogLevel.Information, "Node {Node}: {Action}")]
    public static partial void NodeControl(ILogger logger, string node, string action);

    [LoggerMessage(1104, LogLevel.Warning, "Killed leftover pid {Pid} of node {Node} (harness {HarnessPid} is gone)")]
    public static partial void ReapedLeftover(ILogger logger, int pid, string node, int harnessPid);

    [LoggerMessage(1109, LogLevel.Warning, "Unmounted leftover storage volume {Directory} (its harness is gone)")]
    public static partial void ReapedVolume(ILogger logger, string directory);

    [LoggerMessage(1105, LogLevel.Error, "An Exited handler of node {Node} threw")]
    public static partial void ExitedHandlerFailed(ILogger logger, Exception exception, string node);

    [LoggerMessage(1106, LogLevel.Warning, "Node {Node} failed to start and was killed: {Reason}")]
    public static partial void NodeStartFailed(ILogger logger, string node, string reason);

    [LoggerMessage(1108, LogLevel.Warning, "Node {Node}: a port handed to it was taken before it bound it; starting it again on fresh ports (attempt {Attempt} of {Attempts})")]
    public static partial void PortTakenRetrying(ILogger logger, string node, int attempt, int attempts);

    [LoggerMessage(1107, LogLevel.Warning, "The harness guard could not start ({Reason}): a child a pause fault holds stopped when this harness is SIGKILLed stays until the next harness's reaper")]
    public static partial void GuardNotStarted(ILogger logger, string reason);
}
