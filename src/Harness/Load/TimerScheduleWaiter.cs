namespace Chaos.Harness.Load;

/// <summary>The waiter for any non-system clock: sleeps on that clock's timers, so tests own time.</summary>
internal sealed class TimerScheduleWaiter(TimeProvider timeProvider) : ScheduleWaiter
{
    private readonly ManualResetEventSlim _signal = new(false);

    public override bool WaitUntil(long deadlineTimestamp, CancellationToken cancellationToken)
    {
        while (true)
        {
            var remaining = deadlineTimestamp - timeProvider.GetTimestamp();
            if (remaining <= 0)
            {
                return true;
            }

            _signal.Reset();
            var due = TimeSpan.FromTicks((long)Math.Ceiling(remaining * (double)TimeSpan.TicksPerSecond / timeProvider.TimestampFrequency));
            using var timer = timeProvider.CreateTimer(static s => ((ManualResetEventSlim)s!).Set(), _signal, due, Timeout.InfiniteTimeSpan);
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
