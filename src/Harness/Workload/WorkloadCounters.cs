using System.Globalization;
using Chaos.Harness.History;

namespace Chaos.Harness.Workload;

/// <summary>Outcome counts of sends, for live progress.</summary>
public sealed class WorkloadCounters
{
    private long _ok;
    private long _fail;
    private long _info;
    private long _redelivered;
    private long _retried;
    private long _delivered;
    private long _highestDeliveredSend;
    private long _highestAcknowledgedSend;

    public long Ok => Interlocked.Read(ref _ok);

    public long Fail => Interlocked.Read(ref _fail);

    public long Info => Interlocked.Read(ref _info);

    /// <summary>Sends sent again with their idempotency key after a try ended <c>info</c> (each retry counted).</summary>
    public long Retried => Interlocked.Read(ref _retried);

    /// <summary>Frames devices received again (seq at or below their last): replays after a resume from a stored sequence.</summary>
    public long Redelivered => Interlocked.Read(ref _redelivered);

    /// <summary>Deliveries the devices recorded in the history (<c>deliver</c> ok events).</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>
    /// The highest number n among the open-model sends (<c>m&lt;n&gt;</c>, numbered in the order they were started) that a
    /// device recorded a delivery of; 0 before the first. With <see cref="ChatWorkload.SendsStarted"/> read at a moment,
    /// it tells from the harness's own observations whether a message sent after that moment has reached a device —
    /// proof that the whole path works again after a fault, not the system's word for it.
    /// </summary>
    public long HighestDeliveredSend => Interlocked.Read(ref _highestDeliveredSend);

    /// <summary>
    /// The highest number n among the open-model sends that the api acknowledged (<c>ok</c>); 0 before the first. A send
    /// after a moment that was acknowledged shows traffic entered the system after it; whether it was then delivered is
    /// the loss checkers' question, not a took-effect one.
    /// </summary>
    public long HighestAcknowledgedSend => Interlocked.Read(ref _highestAcknowledgedSend);

    internal void RecordRedelivered() => Interlocked.Increment(ref _redelivered);

    internal void RecordRetried() => Interlocked.Increment(ref _retried);

    internal void RecordDelivered(string id)
    {
        Interlocked.Increment(ref _delivered);
        if (id.Length < 2 || id[0] != 'm' || !long.TryParse(id.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return;
        }

        RaiseTo(ref _highestDeliveredSend, n);
    }

    internal void RecordAcknowledged(long n) => RaiseTo(ref _highestAcknowledgedSend, n);

    private static void RaiseTo(ref long highest, long n)
    {
        var seen = Interlocked.Read(ref highest);
        while (n > seen)
        {
            var was = Interlocked.CompareExchange(ref highest, n, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }

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
