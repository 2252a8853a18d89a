namespace Chaos.Harness.Faults.Process;

/// <summary>The schedule names of the process and failpoint faults (what incident files write in <c>fault:</c>).</summary>
public static class ProcessFaultNames
{
    public const string Kill = "process-kill";

    public const string Terminate = "process-terminate";

    public const string Pause = "process-pause";

    public const string Restart = "process-restart";

    public const string Starve = "process-starve";

    public const string Failpoint = "failpoint";

    /// <summary>Every name above, in a fixed order.</summary>
    public static IReadOnlyList<string> All { get; } = [Kill, Terminate, Pause, Restart, Starve, Failpoint];
}
