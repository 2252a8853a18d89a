using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chaos.Harness.Load;

/// <summary>
/// An open-model load generator: operations start at the intended times of an <see cref="ArrivalProfile"/>
/// whether or not earlier ones have finished, and latency is measured from the intended start, so a slow
/// or stalled target shows in the latency figures instead of silently slowing the load (coordinated omission).
/// A dedicated thread keeps the schedule; operations run on the thread pool. Single use.
/// </summary>
public sealed partial class OpenLoadGenerator
{
    private readonly OpenLoadOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly LoadRecorder _recorder;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _operationsCancellation = new();
    private LoadOperation? _operation;
    private long _startTimestamp;
    private long _inFlight;
    private long _lateThresholdTicks;
    private int _schedulingDone;
    private int _firstFailureLogged;
    private int _running;

    /// <summary>Creates a generator; the options are validated here, before any run.</summary>
    public OpenLoadGenerator(OpenLoadOptions options, ILogger<OpenLoadGenerator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = options.TimeProvider;
        _recorder = new LoadRecorder(options.Profile.Duration, options.DrainTimeout);
    }

    /// <summary>A live snapshot of the counters.</summary>
    public LoadProgress Progress => _recorder.Progress(Interlocked.Read(ref _inFlight));

    /// <summary>
    /// Runs the profile to its end, then waits up to <see cref="OpenLoadOptions.DrainTimeout"/> for operations
    /// in flight and cancels the rest. Cancelling <paramref name="cancellationToken"/> stops the schedule at once,
    /// cancels operations in flight, and returns what was measured so far with <see cref="LoadResult.Cancelled"/> set.
    /// </summary>
    public async Task<LoadResult> RunAsync(LoadOperation operation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            throw new InvalidOperationException("An OpenLoadGenerator runs once; create another for another run.");
        }

        _operation = operation;
        _lateThresholdTicks = ToTimestampTicks(_options.LateThreshold);
        var profile = _options.Profile;
        LogRunStarting(_logger, profile.ToString(), _options.MaxInFlight);

        var scheduled = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        _startTimestamp = _time.GetTimestamp();
        var thread = new Thread(() => Schedule(scheduled, cancellationToken))
        {
            IsBackground = true,
            Name = "chaos-load-scheduler",
            Priority = ThreadPriority.AboveNormal,
        };
        thread.Start();

        var schedulingElapsed = await scheduled.Task.ConfigureAwait(false);
        var cancelled = cancellationToken.IsCancellationRequested;
        if (!cancelled)
        {
            var drainDeadline = _options.Profile.Duration + _options.DrainTimeout;
            var remaining = drainDeadline - Elapsed();
            if (!_drained.Task.IsCompleted && remaining > TimeSpan.Zero)
            {
                try
                {
                    await _drained.Task.WaitAsync(remaining, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    LogDrainTimedOut(_logger, Interlocked.Read(ref _inFlight), _options.DrainTimeout);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    cancelled = true;
                }
            }
        }

        // Operations that honour their token end now; the result counts the others as unfinished.
        await _operationsCancellation.CancelAsync().ConfigureAwait(false);
        var result = _recorder.Snapshot(profile, schedulingElapsed, cancelled);
        LogRunFinished(_logger, result.Started, result.Completed, result.Failed, result.Overflowed, result.Unfinished, result.AchievedRate);
        return result;
    }

    private void Schedule(TaskCompletionSource<TimeSpan> scheduled, CancellationToken cancellationToken)
    {
        try
        {
            using var waiter = ScheduleWaiter.Create(_time, _options.SpinOnly);
            var index = 0L;
            foreach (var intended in _options.Profile.IntendedStarts(_options.Seed))
            {
                var deadline = _startTimestamp + ToTimestampTicks(intended);
                if (!waiter.WaitUntil(deadline, cancellationToken))
                {
                    break;
                }

                _recorder.Arrival(intended);
                if (Interlocked.Read(ref _inFlight) >= _options.MaxInFlight)
                {
                    _recorder.Overflow(intended);
                }
                else
                {
                    Interlocked.Increment(ref _inFlight);
                    if (_options.Dispatch == LoadDispatch.Inline)
                    {
                        _ = RunOperationAsync(index, intended, deadline);
                    }
                    else
                    {
                        ThreadPool.UnsafeQueueUserWorkItem(new OperationWorkItem(this, index, intended, deadline), preferLocal: false);
                    }
                }

                index++;
            }

            var elapsed = Elapsed();
            // A full fence (not a release write): the last operation's decrement-then-read races this
            // write-then-read, and store-load reordering would let both sides miss the drain.
            Interlocked.Exchange(ref _schedulingDone, 1);
            if (Interlocked.Read(ref _inFlight) == 0)
            {
                _drained.TrySetResult();
            }

            scheduled.TrySetResult(elapsed);
        }
        catch (Exception ex)
        {
            scheduled.TrySetException(ex);
        }
    }

    private async Task RunOperationAsync(long index, TimeSpan intended, long intendedTimestamp)
    {
        var actual = _time.GetTimestamp();
        var lag = Math.Max(0, actual - intendedTimestamp);
        _recorder.Started(intended, ToMicros(lag), lag > _lateThresholdTicks);
        try
        {
            var invocation = new LoadInvocation(index, intended, ToTimeSpan(actual - _startTimestamp));
            await _operation!(invocation, _operationsCancellation.Token).ConfigureAwait(false);
            var end = _time.GetTimestamp();
            _recorder.Completed(intended, ToMicros(end - intendedTimestamp), ToTimeSpan(end - _startTimestamp));
        }
        catch (OperationCanceledException) when (_operationsCancellation.IsCancellationRequested)
        {
            // Cut off by the drain timeout or the run's cancellation: neither ok nor failed, so unfinished.
        }
        catch (Exception ex)
        {
            _recorder.Failed(intended);
            if (Interlocked.Exchange(ref _firstFailureLogged, 1) == 0)
            {
                LogFirstFailure(_logger, ex, index);
            }
        }
        finally
        {
            if (Interlocked.Decrement(ref _inFlight) == 0 && Volatile.Read(ref _schedulingDone) == 1)
            {
                _drained.TrySetResult();
            }
        }
    }

    private TimeSpan Elapsed() => ToTimeSpan(_time.GetTimestamp() - _startTimestamp);

    private long ToTimestampTicks(TimeSpan offset) =>
        (long)(((Int128)offset.Ticks * _time.TimestampFrequency) / TimeSpan.TicksPerSecond);

    private TimeSpan ToTimeSpan(long timestampTicks) =>
        TimeSpan.FromTicks((long)(((Int128)timestampTicks * TimeSpan.TicksPerSecond) / _time.TimestampFrequency));

    private long ToMicros(long timestampTicks) =>
        (long)(((Int128)timestampTicks * 1_000_000) / _time.TimestampFrequency);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Open load starting: {Profile}, at most {MaxInFlight} in flight")]
    private static partial void LogRunStarting(ILogger logger, string profile, int maxInFlight);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Open load finished: {Started} started, {Completed} ok, {Failed} failed, {Overflowed} overflowed, {Unfinished} unfinished, {AchievedRate:0.#} ops/s")]
    private static partial void LogRunFinished(ILogger logger, long started, long completed, long failed, long overflowed, long unfinished, double achievedRate);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Open load drain timed out after {DrainTimeout}: {InFlight} operation(s) still in flight are cancelled")]
    private static partial void LogDrainTimedOut(ILogger logger, long inFlight, TimeSpan drainTimeout);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "Open load operation {Index} failed (first failure of the run; later ones are only counted)")]
    private static partial void LogFirstFailure(ILogger logger, Exception exception, long index);

    private sealed class OperationWorkItem(OpenLoadGenerator owner, long index, TimeSpan intended, long intendedTimestamp) : IThreadPoolWorkItem
    {
        public void Execute() => _ = owner.RunOperationAsync(index, intended, intendedTimestamp);
    }
}
