namespace Chaos.Harness.Workload;

/// <summary>
/// Job processing as the drain read it from the system's own records (the attempts the jobs stamped), and the poison
/// jobs the harness submitted. The attempt counts are the system's statement: the harness's own count of calls is the
/// <see cref="Faults.Downstream.DownstreamProvider"/>'s, and the checkers compare the two per job (attempt-miscount).
/// </summary>
public sealed class JobStatistics
{
    private long _attempts;
    private long _transient;
    private long _poison;

    public long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>Attempts that failed transiently (the downstream failed or timed out) and were retried or dead-lettered.</summary>
    public long TransientFailures => Interlocked.Read(ref _transient);

    /// <summary>Poison jobs (invalid payloads) the api acknowledged.</summary>
    public long PoisonSubmitted => Interlocked.Read(ref _poison);

    internal void CountAttempt(string? outcome)
    {
        Interlocked.Increment(ref _attempts);
        if (outcome is not null && outcome.StartsWith("transient", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _transient);
        }
    }

    internal void CountPoison() => Interlocked.Increment(ref _poison);
}
