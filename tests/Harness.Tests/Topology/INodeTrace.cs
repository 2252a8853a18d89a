namespace Chaos.Harness.Tests.Topology;

/// <summary>What a node ran (pids, container ids), captured so a test can prove later that all of it is gone.</summary>
public interface INodeTrace
{
    IReadOnlyList<string> Items { get; }

    /// <summary>Waits (bounded) until nothing of the trace is alive; returns what still is at the deadline.</summary>
    Task<IReadOnlyList<string>> StillAliveAfterAsync(TimeSpan within);
}
