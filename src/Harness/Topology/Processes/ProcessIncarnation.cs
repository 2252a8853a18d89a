using System.Collections.Concurrent;
using System.Diagnostics;

namespace Chaos.Harness.Topology.Processes;

/// <summary>One start of a node: its process, identity and the signals of its life cycle.</summary>
internal sealed class ProcessIncarnation(int number, Process process, bool ownGroup)
{
    private volatile bool expectedExit;
    private volatile bool paused;
    private volatile bool ready;
    private volatile bool exitObserved;

    public int Number { get; } = number;

    public Process Process { get; } = process;

    public bool OwnGroup { get; } = ownGroup;

    public int Pid { get; set; }

    public long StartTime { get; set; }

    /// <summary>Set once the exit has been observed and the output drained.</summary>
    public int? ExitCode { get; set; }

    public TaskCompletionSource<int> Exit { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource ReadyLine { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentDictionary<string, string> Announced { get; } = new(StringComparer.Ordinal);

    public bool ExpectedExit { get => expectedExit; set => expectedExit = value; }

    public bool Paused { get => paused; set => paused = value; }

    public bool Ready { get => ready; set => ready = value; }

    /// <summary>The kernel reported the exit: from here on the pid may be reused, so it must not be signalled.</summary>
    public bool ExitObserved { get => exitObserved; set => exitObserved = value; }

    public bool HasExited => Exit.Task.IsCompleted || ExitObserved;
}
