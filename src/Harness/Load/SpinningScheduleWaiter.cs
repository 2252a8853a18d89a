using System.Diagnostics;

namespace Chaos.Harness.Load;

/// <summary>
/// The system-clock waiter. Far from the deadline it sleeps — precisely with <see cref="MonotonicSleep"/> on
/// Linux, else on the cancellation token's wait handle (millisecond resolution) and then by yielding — and for
/// the last stretch it spins on the high-resolution timestamp. Sleeps are cut into chunks of at most 5 ms so
/// cancellation is noticed promptly.
/// </summary>
internal sealed class SpinningScheduleWaiter : ScheduleWaiter
{
    private static readonly long BlockWindow = Stopwatch.Frequency * 2 / 1000; // 2 ms: managed waits overshoot by ~1 ms
    private static readonly long MaxSleep = Stopwatch.Frequency * 5 / 1000;

    private readonly bool _spinOnly;
    private readonly long _spinWindow;

    /// <summary>Created on the scheduler thread, whose timer slack it lowers.</summary>
    public SpinningScheduleWaiter(bool spinOnly)
    {
        _spinOnly = spinOnly;
        _spinWindow = Stopwatch.Frequency * SpinWindowMicroseconds / 1_000_000;
        if (!_spinOnly)
        {
            MonotonicSleep.UseFineTimerSlack();
        }
    }

    /// <summary>
    /// How long before a deadline sleeping stops and spinning starts: covers the wake-up latency with 1 µs timer
    /// slack. Short on purpose: on a busy machine a thread that sleeps is favoured over one that spins (measured in
    /// docs/load.md: 20 µs gave a 4-25x lower lag p99 than 100 µs under load average 60).
    /// </summary>
    internal static long SpinWindowMicroseconds { get; set; } = 20;

    public override bool WaitUntil(long deadlineTimestamp, CancellationToken cancellationToken)
    {
        var spinner = default(SpinWait);
        while (true)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            var now = Stopwatch.GetTimestamp();
            var remaining = deadlineTimestamp - now;
            if (remaining <= 0)
            {
                return true;
            }

            if (remaining > _spinWindow && !_spinOnly && MonotonicSleep.IsSupported)
            {
                MonotonicSleep.SleepUntil(now + Math.Min(remaining - _spinWindow, MaxSleep));
            }
            else if (remaining > BlockWindow && !_spinOnly)
            {
                // The wait handle wakes us at once on cancellation; its timeout only needs ms precision here.
                var milliseconds = (int)Math.Clamp((remaining - BlockWindow) * 1000 / Stopwatch.Frequency, 1, 5);
                cancellationToken.WaitHandle.WaitOne(milliseconds);
            }
            else if (remaining > _spinWindow)
            {
                Thread.Yield();
            }
            else
            {
                // SpinOnce(-1) never sleeps; it only spins and now and then yields.
                spinner.SpinOnce(-1);
            }
        }
    }
}
