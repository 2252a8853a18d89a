namespace Chaos.Harness.Load;

/// <summary>
/// The measurement most load tools make and the one to distrust: one caller paced by the same intended
/// start times, but it waits for each operation before starting the next and times each operation from its
/// <em>actual</em> start. When the target stalls, the caller stalls with it, the arrivals it should have made
/// are made late (and timed from then), and the stall shrinks to one slow sample: coordinated omission.
/// Kept for comparison in benchmarks and tests; use <see cref="OpenLoadGenerator"/> for real measurements.
/// </summary>
public sealed class ClosedLoopGenerator
{
    private readonly ArrivalProfile _profile;
    private readonly long _seed;
    private readonly TimeProvider _time;
    private readonly LoadRecorder _recorder;

    /// <summary>Creates a closed-loop runner over a profile.</summary>
    public ClosedLoopGenerator(ArrivalProfile profile, long seed, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        _profile = profile;
        _seed = seed;
        _time = timeProvider ?? TimeProvider.System;
        _recorder = new LoadRecorder(profile.Duration, TimeSpan.Zero);
    }

    /// <summary>A live snapshot of the counters.</summary>
    public LoadProgress Progress
    {
        get
        {
            var progress = _recorder.Progress(0);
            return progress with { InFlight = progress.Started - progress.Completed - progress.Failed };
        }
    }

    /// <summary>Runs every arrival of the profile one after another; latency is from each actual start.</summary>
    public Task<LoadResult> RunAsync(LoadOperation operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        var done = new TaskCompletionSource<LoadResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                done.TrySetResult(Run(operation, cancellationToken));
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "chaos-closed-loop",
        };
        thread.Start();
        return done.Task;
    }

    private LoadResult Run(LoadOperation operation, CancellationToken cancellationToken)
    {
        var recorder = _recorder;
        using var waiter = ScheduleWaiter.Create(_time);
        var frequency = _time.TimestampFrequency;
        var start = _time.GetTimestamp();
        var index = 0L;
        var cancelled = false;
        foreach (var intended in _profile.IntendedStarts(_seed))
        {
            var intendedTimestamp = start + (long)((Int128)intended.Ticks * frequency / TimeSpan.TicksPerSecond);
            if (!waiter.WaitUntil(intendedTimestamp, cancellationToken))
            {
                cancelled = true;
                break;
            }

            recorder.Arrival(intended);
            var actual = _time.GetTimestamp();
            recorder.Started(intended, Micros(actual - intendedTimestamp, frequency), late: false);
            try
            {
                // Blocking is the point: a closed loop cannot start the next call before this one returns.
                operation(new LoadInvocation(index++, intended, Span(actual - start, frequency)), cancellationToken).AsTask().GetAwaiter().GetResult();
                var end = _time.GetTimestamp();
                recorder.Completed(intended, Micros(end - actual, frequency), Span(end - start, frequency));
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                cancelled = true;
                break;
            }
            catch (Exception)
            {
                recorder.Failed(intended);
            }
        }

        return recorder.Snapshot(_profile, Span(_time.GetTimestamp() - start, frequency), cancelled);
    }

    private static long Micros(long ticks, long frequency) => (long)((Int128)Math.Max(0, ticks) * 1_000_000 / frequency);

    private static TimeSpan Span(long ticks, long frequency) => TimeSpan.FromTicks((long)((Int128)ticks * TimeSpan.TicksPerSecond / frequency));
}
