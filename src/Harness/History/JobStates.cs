namespace Chaos.Harness.History;

/// <summary>Well-known <c>job-state</c> states. Only <see cref="Done"/> and <see cref="DeadLettered"/> are terminal.</summary>
public static class JobStates
{
    /// <summary>The job's effect was applied.</summary>
    public const string Done = "done";

    /// <summary>The job went to the dead-letter topic; the event must name a reason.</summary>
    public const string DeadLettered = "dead-lettered";

    /// <summary>The job failed transiently and will be retried.</summary>
    public const string Retrying = "retrying";

    /// <summary>Whether <paramref name="state"/> is terminal.</summary>
    public static bool IsTerminal(string state) => state is Done or DeadLettered;
}
