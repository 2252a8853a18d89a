using System.Collections.Concurrent;

namespace Chaos.Harness.Topology;

/// <summary>
/// One start of a node, whatever runs it: its number, the signals of its life cycle and what its ready line announced.
/// Each back-end adds its identity (<see cref="Processes.ProcessIncarnation"/>: the process;
/// <see cref="Containers.ContainerIncarnation"/>: the container) and says when it knows the incarnation is gone.
/// </summary>
internal abstract class NodeIncarnation(int number)
{
    private volatile bool expectedExit;
    private volatile bool paused;
    private volatile bool wasPaused;
    private volatile bool ready;

    public int Number { get; } = number;

    /// <summary>The process id (a container's main pid, once the engine said it; 0 until known).</summary>
    public int Pid { get; set; }

    /// <summary>Set once the exit has been observed and the output drained.</summary>
    public int? ExitCode { get; set; }

    /// <summary>Completes after the exit has been logged and the Exited handlers have run.</summary>
    public TaskCompletionSource<int> Exit { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when a stdout line matched the spec's ready line.</summary>
    public TaskCompletionSource ReadyLine { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The named groups of the ready line's match (endpoints the node announced).</summary>
    public ConcurrentDictionary<string, string> Announced { get; } = new(StringComparer.Ordinal);

    /// <summary>The harness caused the exit (kill, terminate, restart), so it is not a crash.</summary>
    public bool ExpectedExit { get => expectedExit; set => expectedExit = value; }

    public bool Paused
    {
        get => paused;
        set
        {
            paused = value;
            wasPaused |= value;
        }
    }

    /// <summary>The harness paused this incarnation at some time (a pause or a starve fault), whether it still is or not.</summary>
    public bool WasPaused => wasPaused;

    public bool Ready { get => ready; set => ready = value; }

    /// <summary>The back-end knows the incarnation is gone (possibly before <see cref="Exit"/> completes).</summary>
    public abstract bool HasExited { get; }
}
