using DotNet.Testcontainers.Containers;

namespace Chaos.Harness.Topology.Containers;

/// <summary>One start of a node: its own container (auto-removed when it stops) and the engine's word on its death.</summary>
internal sealed class ContainerIncarnation(int number, string containerName) : NodeIncarnation(number)
{
    public string ContainerName { get; } = containerName;

    public IContainer? Container { get; set; }

    /// <summary>Set when the container has been created (before it starts).</summary>
    public string? Id { get; set; }

    /// <summary>The engine reported the container's death (docker event <c>die</c>) with this exit code.</summary>
    public TaskCompletionSource<int> Died { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Reads the attached output until the container stops.</summary>
    public Task Output { get; set; } = Task.CompletedTask;

    public override bool HasExited => Died.Task.IsCompleted || Exit.Task.IsCompleted;
}
