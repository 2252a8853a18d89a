namespace Chaos.Harness.Topology;

/// <summary>
/// A control handle for one launched node. Control operations act on the node's whole process tree (or container).
/// A node may be restarted; each start is an incarnation with its own process id and exit code.
/// </summary>
public interface ITopologyNode
{
    /// <summary>The unique node name (also the log file name).</summary>
    string Name { get; }

    /// <summary>A free-form role label, e.g. <c>kafka</c>, <c>api</c>, <c>gateway</c>.</summary>
    string Role { get; }

    /// <summary>The spec the node was launched from; restarts reuse it.</summary>
    NodeSpec Spec { get; }

    NodeState State { get; }

    /// <summary>True while the current incarnation has not exited (paused counts as running).</summary>
    bool IsRunning { get; }

    /// <summary>The process id of the current incarnation (container back-ends: the container's main pid, if known).</summary>
    int? ProcessId { get; }

    /// <summary>The exit code of the last incarnation once it has exited (137 after SIGKILL), else null.</summary>
    int? ExitCode { get; }

    /// <summary>How many times the node has been started (1 after launch, 2 after the first restart, ...).</summary>
    int Incarnation { get; }

    /// <summary>Raised once per incarnation when it exits, whether the harness caused it or not.</summary>
    event EventHandler<NodeExitedEventArgs>? Exited;

    /// <summary>
    /// Endpoints by name: the named groups of the ready line (e.g. <c>endpoint</c> → <c>http://127.0.0.1:5123</c>,
    /// <c>bootstrap</c> → <c>127.0.0.1:9092,127.0.0.1:9093</c>), and <c>{port:name}</c> placeholders.
    /// </summary>
    IReadOnlyDictionary<string, string> Endpoints { get; }

    /// <summary>The endpoint named <c>endpoint</c> as a URI, or null when the node has none.</summary>
    Uri? Endpoint { get; }

    /// <summary>Loopback ports allocated for the spec's <c>{port}</c> / <c>{port:name}</c> placeholders; kept across restarts.</summary>
    IReadOnlyDictionary<string, int> Ports { get; }

    /// <summary>Path of the node's log file (stdout and stderr, timestamped, every incarnation).</summary>
    string LogPath { get; }

    /// <summary>The last lines the node wrote (for error messages).</summary>
    IReadOnlyList<string> LogTail(int lines = 30);

    /// <summary>Waits until the current incarnation is ready (see <see cref="ReadinessCheck"/>), bounded by the startup timeout.</summary>
    Task WaitHealthyAsync(CancellationToken cancellationToken);

    /// <summary>One health probe: the HTTP GET of the readiness check answered 2xx (true when the spec has none and the node runs).</summary>
    Task<bool> CheckHealthAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>SIGKILL to the whole tree; completes when the exit has been observed.</summary>
    Task KillAsync(CancellationToken cancellationToken);

    /// <summary>SIGTERM to the whole tree, then SIGKILL after <paramref name="grace"/> (default: the spec's <see cref="NodeSpec.TerminateGrace"/>).</summary>
    Task TerminateAsync(TimeSpan? grace, CancellationToken cancellationToken);

    /// <summary>SIGSTOP to the whole tree; completes when the node is observed stopped.</summary>
    Task PauseAsync(CancellationToken cancellationToken);

    /// <summary>SIGCONT to the whole tree.</summary>
    Task ResumeAsync(CancellationToken cancellationToken);

    /// <summary>Terminates the node if it runs, starts it again from the same spec and ports, and waits until it is ready.</summary>
    Task RestartAsync(CancellationToken cancellationToken);

    /// <summary>Waits for the current incarnation to exit and returns its exit code.</summary>
    Task<int> WaitForExitAsync(CancellationToken cancellationToken);
}
