using System.Diagnostics;

namespace Chaos.Harness.Load;

/// <summary>The system-clock waiter: block while far, yield when near, spin at the end.</summary>
internal sealed class SpinningScheduleWaiter : ScheduleWaiter
{
    // Below these distances to the deadline we stop blocking, then stop yielding.
    private static readonly long BlockWindow = Stopwatch.Frequency * 2 / 1000;
    private static readonly long YieldWindow = Stopwatch.Frequency / 5000;

    public override bool WaitUntil(long deadlineTimestamp, CancellationToken cancellationToken)
    {
        var spinner = default(SpinWait);
        while (true)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            var remaining = deadlineTimestamp - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return true;
            }

            if (remaining > BlockWindow)
            {
                // The wait handle wakes us at once on cancellation; its timeout only needs ms precision here.
                var milliseconds = (int)Math.Clamp((remaining - BlockWindow) * 1000 / Stopwatch.Frequency, 1, 100);
                cancellationToken.WaitHandle.WaitOne(milliseconds);
            }
            else if (remaining > YieldWindow)
            {
                Thread.Yield();
            }
            else
            {
                // SpinOnce(-1) never sleeps; it only spins and occasionally yields.
                spinner.SpinOnce(-1);
            }
        }
    }
}
