namespace Chaos.Harness.Load;

/// <summary>
/// Blocks the scheduler thread until a timestamp of the run's <see cref="TimeProvider"/>. Timer and
/// Task.Delay resolution (1–15 ms) is far too coarse for 50 µs inter-arrivals, so on the system clock we
/// block only while the deadline is far, then yield, then spin on the high-resolution timestamp.
/// On any other provider (a FakeTimeProvider in tests) we wait on that provider's timers, so time is
/// entirely the test's to advance.
/// </summary>
internal abstract class ScheduleWaiter : IDisposable
{
    public static ScheduleWaiter Create(TimeProvider timeProvider, bool spinOnly = false) =>
        timeProvider == TimeProvider.System ? new SpinningScheduleWaiter(spinOnly) : new TimerScheduleWaiter(timeProvider);

    /// <summary>Returns true at or after the deadline, false when cancelled first.</summary>
    public abstract bool WaitUntil(long deadlineTimestamp, CancellationToken cancellationToken);

    public virtual void Dispose()
    {
    }
}
