namespace Chaos.Harness.Load;

/// <summary>Where the open-load generator starts each operation.</summary>
public enum LoadDispatch
{
    /// <summary>Queued to the thread pool; the schedule never waits for an operation's synchronous work.</summary>
    ThreadPool,

    /// <summary>Started on the scheduler thread and run there until its first incomplete await.</summary>
    Inline,
}
