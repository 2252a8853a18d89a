namespace Chaos.Harness.Faults.Downstream;

/// <summary>What a <see cref="DownstreamProvider"/> counted: calls received, not accepted (failed or refused), refused
/// for good, connections closed unread while unreachable, and calls abandoned by their caller before the answer.</summary>
public readonly record struct DownstreamCounts(long Calls, long Failed, long Refused, long Dropped, long Abandoned)
{
    /// <summary>The counts from <paramref name="start"/> to this.</summary>
    public DownstreamCounts Since(DownstreamCounts start) =>
        new(Calls - start.Calls, Failed - start.Failed, Refused - start.Refused, Dropped - start.Dropped, Abandoned - start.Abandoned);
}
