using System.Diagnostics;

namespace Chaos.Harness.Load;

/// <summary>
/// The system-clock waiter. Far from the deadline it sleeps — precisely with <see cref="MonotonicSleep"/> on
/// Linux, else on the cancellation token's wait handle (millisecond resolution) and then by yielding — and for
/// the last stretch it spins on the high-resolution timestamp. Sleeps are cut into chunks of at most 5 ms so
/// cancellation is noticed promptly.
/// </summary>
internal sealed class SpinningScheduleWaiter(bool spinOnly) : ScheduleWaiter
{
    private static readonly long SpinWindow = Stopwatch.Frequency / 10_000; // 100 µs: covers timer slack and wake-up
    private static readonly long BlockWindow = Stopwatch.Frequency * 2 / 1000; // 2 ms: managed waits overshoot by ~1 ms
    private static readonly long MaxSleep = Stopwatch.Frequency * 5 / 1000;

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

            if (remaining > SpinWindow && !spinOnly && MonotonicSleep.IsSupported)
            {
                MonotonicSleep.SleepUntil(now + Math.Min(remaining - SpinWindow, MaxSleep));
            }
            else if (remaining > BlockWindow && !spinOnly)
            {
                // The wait handle wakes us at once on cancellation; its timeout only needs ms precision here.
                var milliseconds = (int)Math.Clamp((remaining - BlockWindow) * 1000 / Stopwatch.Frequency, 1, 5);
                cancellationToken.WaitHandle.WaitOne(milliseconds);
            }
            else if (remaining > SpinWindow)
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
