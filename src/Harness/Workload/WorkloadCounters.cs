using Chaos.Harness.History;

namespace Chaos.Harness.Workload;

/// <summary>Outcome counts of sends, for live progress.</summary>
public sealed class WorkloadCounters
{
    private long _ok;
    private long _fail;
    private long _info;
    private long _redelivered;

    public long Ok => Interlocked.Read(ref _ok);

    public long Fail => Interlocked.Read(ref _fail);

    public long Info => Interlocked.Read(ref _info);

    /// <summary>Frames devices received again (seq at or below their last): replays after a resume from a stored sequence.</summary>
    public long Redelivered => Interlocked.Read(ref _redelivered);

    internal void RecordRedelivered() => Interlocked.Increment(ref _redelivered);

    internal void Record(HistoryEventType outcome)
    {
        switch (outcome)
        {
            case HistoryEventType.Ok:
                Interlocked.Increment(ref _ok);
                break;
            case HistoryEventType.Fail:
                Interlocked.Increment(ref _fail);
                break;
            default:
                Interlocked.Increment(ref _info);
                break;
        }
    }
}
