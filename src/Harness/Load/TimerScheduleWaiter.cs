namespace Chaos.Harness.Load;

/// <summary>The waiter for any non-system clock: sleeps on that clock's timers, so tests own time.</summary>
internal sealed class TimerScheduleWaiter(TimeProvider timeProvider) : ScheduleWaiter
{
    private readonly ManualResetEventSlim _signal = new(false);

    public override bool WaitUntil(long deadlineTimestamp, CancellationToken cancellationToken)
    {
        var rearmed = 0;
        while (true)
        {
            var before = timeProvider.GetTimestamp();
            var remaining = deadlineTimestamp - before;
            if (remaining <= 0)
            {
                return true;
            }

            _signal.Reset();
            var due = TimeSpan.FromTicks((long)Math.Ceiling(remaining * (double)TimeSpan.TicksPerSecond / timeProvider.TimestampFrequency));
            using var timer = timeProvider.CreateTimer(static s => ((ManualResetEventSlim)s!).Set(), _signal, due, Timeout.InfiniteTimeSpan);

            // A timer's due time counts from when it is created. If the clock moved between our reading and
            // the timer's creation (a test advancing a fake clock), the timer would fire late — perhaps never,
            // if the test only advances to the deadline — so re-arm from a fresh reading.
            if (timeProvider.GetTimestamp() != before && rearmed++ < 3)
            {
                continue;
            }

            rearmed = 0;
            try
            {
                _signal.Wait(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    public override void Dispose() => _signal.Dispose();
}
