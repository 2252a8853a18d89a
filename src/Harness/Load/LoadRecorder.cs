using HdrHistogram;

namespace Chaos.Harness.Load;

/// <summary>
/// Counters and histograms of one run, written concurrently by the scheduler thread and by operations
/// finishing on pool threads. HdrHistogram's concurrent histograms take the writes without locks, but promise
/// nothing to a reader copying them mid-write, so <see cref="Snapshot"/> seals the recorder first: it waits out the
/// writes under way, and an operation that ends after the seal (one that ignored its cancellation) is not recorded —
/// the snapshot counts it unfinished, consistently with its histograms.
/// </summary>
internal sealed class LoadRecorder
{
    /// <summary>One hour in microseconds: the largest latency a histogram keeps (larger values are clamped).</summary>
    internal const long HighestMicros = 3_600_000_000;

    private readonly LongConcurrentHistogram _latency = new(1, HighestMicros, 3);
    private readonly LongConcurrentHistogram _lag = new(1, HighestMicros, 3);
    private readonly SecondBucket[] _seconds;
    private readonly long[] _throughput;
    private long _intended;
    private long _started;
    private long _completed;
    private long _failed;
    private long _late;
    private long _overflowed;
    private int _sealed;
    private int _writers;

    public LoadRecorder(TimeSpan duration, TimeSpan drain)
    {
        var seconds = (int)Math.Ceiling(duration.TotalSeconds) + 1;
        _seconds = new SecondBucket[seconds];
        for (var i = 0; i < seconds; i++)
        {
            _seconds[i] = new SecondBucket();
        }

        _throughput = new long[(int)Math.Ceiling((duration + drain).TotalSeconds) + 2];
    }

    public LoadProgress Progress(long inFlight) => new(
        Interlocked.Read(ref _intended),
        Interlocked.Read(ref _started),
        Interlocked.Read(ref _completed),
        Interlocked.Read(ref _failed),
        Interlocked.Read(ref _overflowed),
        Interlocked.Read(ref _late),
        inFlight);

    public void Arrival(TimeSpan intended)
    {
        Interlocked.Increment(ref _intended);
        Interlocked.Increment(ref Bucket(intended).Intended);
    }

    public void Overflow(TimeSpan intended)
    {
        Interlocked.Increment(ref _overflowed);
        Interlocked.Increment(ref Bucket(intended).Overflowed);
    }

    public void Started(TimeSpan intended, long lagMicros, bool late)
    {
        if (!EnterWrite())
        {
            return;
        }

        try
        {
            Interlocked.Increment(ref _started);
            Interlocked.Increment(ref Bucket(intended).Started);
            _lag.RecordValue(Clamp(lagMicros));
            if (late)
            {
                Interlocked.Increment(ref _late);
            }
        }
        finally
        {
            ExitWrite();
        }
    }

    public void Completed(TimeSpan intended, long latencyMicros, TimeSpan finishedAt)
    {
        if (!EnterWrite())
        {
            return;
        }

        try
        {
            var bucket = Bucket(intended);
            _latency.RecordValue(Clamp(latencyMicros));
            bucket.Record(Clamp(latencyMicros));
            Interlocked.Increment(ref bucket.Completed);
            var second = (int)Math.Clamp(finishedAt.Ticks / TimeSpan.TicksPerSecond, 0, _throughput.Length - 1);
            Interlocked.Increment(ref _throughput[second]);

            // Counted last, so a progress reader that sees the completion also sees its latency.
            Interlocked.Increment(ref _completed);
        }
        finally
        {
            ExitWrite();
        }
    }

    public void Failed(TimeSpan intended)
    {
        if (!EnterWrite())
        {
            return;
        }

        try
        {
            Interlocked.Increment(ref Bucket(intended).Failed);
            Interlocked.Increment(ref _failed);
        }
        finally
        {
            ExitWrite();
        }
    }

    /// <summary>
    /// The run's result. Seals the recorder first (later writes are dropped) and waits for the writes under way: a
    /// writer announces itself before it looks at the seal, the snapshot seals before it looks at the writers, both
    /// with full fences, so either the writer sees the seal or the snapshot sees the writer.
    /// </summary>
    public LoadResult Snapshot(ArrivalProfile profile, TimeSpan schedulingElapsed, bool cancelled)
    {
        Interlocked.Exchange(ref _sealed, 1);
        var spin = new SpinWait();
        while (Volatile.Read(ref _writers) != 0)
        {
            spin.SpinOnce();
        }

        var started = Interlocked.Read(ref _started);
        var completed = Interlocked.Read(ref _completed);
        var failed = Interlocked.Read(ref _failed);
        var span = schedulingElapsed > profile.Duration ? schedulingElapsed : profile.Duration;
        var lastSecond = _seconds.Length - 1;
        while (lastSecond >= 0 && _seconds[lastSecond].Intended == 0 && (lastSecond >= _throughput.Length || _throughput[lastSecond] == 0))
        {
            lastSecond--;
        }

        var lastThroughput = _throughput.Length - 1;
        while (lastThroughput >= 0 && _throughput[lastThroughput] == 0)
        {
            lastThroughput--;
        }

        var series = new List<LoadSecond>();
        for (var s = 0; s <= Math.Max(lastSecond, lastThroughput); s++)
        {
            var bucket = s < _seconds.Length ? _seconds[s] : null;
            var histogram = bucket?.Latency;
            var empty = histogram is null || histogram.TotalCount == 0;
            series.Add(new LoadSecond(
                s,
                bucket?.Intended ?? 0,
                bucket?.Started ?? 0,
                bucket?.Overflowed ?? 0,
                bucket?.Completed ?? 0,
                bucket?.Failed ?? 0,
                Interlocked.Read(ref _throughput[s]),
                empty ? TimeSpan.Zero : TimeSpan.FromMicroseconds(histogram!.GetValueAtPercentile(50)),
                empty ? TimeSpan.Zero : TimeSpan.FromMicroseconds(histogram!.GetValueAtPercentile(95)),
                empty ? TimeSpan.Zero : TimeSpan.FromMicroseconds(histogram!.GetValueAtPercentile(99)),
                empty ? TimeSpan.Zero : TimeSpan.FromMicroseconds(histogram!.GetMaxValue())));
        }

        return new LoadResult
        {
            Profile = profile.Name,
            TargetRate = profile.MeanRate,
            AchievedRate = started / span.TotalSeconds,
            Duration = profile.Duration,
            SchedulingElapsed = schedulingElapsed,
            Intended = Interlocked.Read(ref _intended),
            Started = started,
            Completed = completed,
            Failed = failed,
            Unfinished = started - completed - failed,
            Late = Interlocked.Read(ref _late),
            Overflowed = Interlocked.Read(ref _overflowed),
            Cancelled = cancelled,
            Latency = _latency.Copy(),
            ScheduleLag = _lag.Copy(),
            TimeSeries = series,
        };
    }

    private bool EnterWrite()
    {
        Interlocked.Increment(ref _writers);
        if (Volatile.Read(ref _sealed) == 0)
        {
            return true;
        }

        Interlocked.Decrement(ref _writers);
        return false;
    }

    private void ExitWrite() => Interlocked.Decrement(ref _writers);

    private static long Clamp(long micros) => Math.Clamp(micros, 0, HighestMicros);

    private SecondBucket Bucket(TimeSpan intended) =>
        _seconds[(int)Math.Clamp(intended.Ticks / TimeSpan.TicksPerSecond, 0, _seconds.Length - 1)];

    private sealed class SecondBucket
    {
#pragma warning disable SA1401, CA1051 // Fields, so Interlocked can take them by reference.
        public long Intended;
        public long Started;
        public long Overflowed;
        public long Completed;
        public long Failed;
#pragma warning restore SA1401, CA1051

        private IntConcurrentHistogram? _latency;

        /// <summary>Null until the first latency of this second; a long soak allocates only seconds that had load.</summary>
        public IntConcurrentHistogram? Latency => Volatile.Read(ref _latency);

        public void Record(long micros)
        {
            var histogram = Volatile.Read(ref _latency);
            if (histogram is null)
            {
                // Two significant digits (1 %) is plenty for a per-second chart and keeps each bucket at ~13 KB.
                var created = new IntConcurrentHistogram(1, HighestMicros, 2);
                histogram = Interlocked.CompareExchange(ref _latency, created, null) ?? created;
            }

            histogram.RecordValue(micros);
        }
    }
}
