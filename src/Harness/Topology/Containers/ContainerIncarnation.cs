using System.Collections.Concurrent;
using DotNet.Testcontainers.Containers;

namespace Chaos.Harness.Topology.Containers;

/// <summary>One start of a node: its own container (auto-removed when it stops), identity and life-cycle signals.</summary>
internal sealed class ContainerIncarnation(int number, string containerName)
{
    private volatile bool expectedExit;
    private volatile bool paused;
    private volatile bool ready;

    public int Number { get; } = number;

    public string ContainerName { get; } = containerName;

    public IContainer? Container { get; set; }

    /// <summary>Set when the container has been created (before it starts).</summary>
    public string? Id { get; set; }

    public int Pid { get; set; }

    /// <summary>The engine reported the container's death (docker event <c>die</c>) with this exit code.</summary>
    public TaskCompletionSource<int> Died { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes after the death has been logged and the Exited handlers have run.</summary>
    public TaskCompletionSource<int> Exit { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource ReadyLine { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Reads the attached output until the container stops.</summary>
    public Task Output { get; set; } = Task.CompletedTask;

    public ConcurrentDictionary<string, string> Announced { get; } = new(StringComparer.Ordinal);

    public int? ExitCode { get; set; }

    public bool ExpectedExit { get => expectedExit; set => expectedExit = value; }

    public bool Paused { get => paused; set => paused = value; }

    public bool Ready { get => ready; set => ready = value; }

    public bool HasExited => Died.Task.IsCompleted || Exit.Task.IsCompleted;
}
