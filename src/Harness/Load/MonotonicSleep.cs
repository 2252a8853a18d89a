using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Chaos.Harness.Load;

/// <summary>
/// Sleeps until an absolute <see cref="Stopwatch"/> timestamp with clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME).
/// Managed waits (WaitOne, Task.Delay) round to whole milliseconds; this one wakes within the kernel's timer slack
/// (50 µs by default), so the scheduler can sleep through most of a sub-millisecond gap instead of burning a core,
/// and a thread waking from sleep is favoured by the Linux scheduler over one that has been spinning.
/// Linux on 64-bit only; elsewhere <see cref="IsSupported"/> is false and the waiter yields and spins instead.
/// </summary>
internal static partial class MonotonicSleep
{
    private const int ClockMonotonic = 1;
    private const int TimerAbsoluteTime = 1;
    private const long NanosecondsPerSecond = 1_000_000_000;
    private const int PrSetTimerSlack = 29;

    // CLOCK_MONOTONIC minus Stopwatch, in nanoseconds (zero where Stopwatch reads CLOCK_MONOTONIC, as on Linux).
    private static readonly long Offset;

    static MonotonicSleep()
    {
        IsSupported = OperatingSystem.IsLinux() && Environment.Is64BitProcess && Probe(out Offset);
    }

    public static bool IsSupported { get; }

    /// <summary>
    /// Lowers the calling thread's timer slack (default 50 µs) to 1 µs, so its sleeps end within microseconds of
    /// their deadline and the spin that follows can be short. Affects only this thread; best effort.
    /// </summary>
    public static void UseFineTimerSlack()
    {
        if (IsSupported)
        {
            _ = Prctl(PrSetTimerSlack, 1_000, 0, 0, 0);
        }
    }

    /// <summary>Sleeps until the timestamp (or returns at once if it has passed); may wake a little early on a signal.</summary>
    public static unsafe void SleepUntil(long stopwatchTimestamp)
    {
        var nanoseconds = ToNanoseconds(stopwatchTimestamp) + Offset;
        var deadline = new Timespec { Seconds = nanoseconds / NanosecondsPerSecond, Nanoseconds = nanoseconds % NanosecondsPerSecond };

        // An interrupted sleep (EINTR) simply returns early; the caller re-checks the clock.
        _ = ClockNanosleep(ClockMonotonic, TimerAbsoluteTime, &deadline, null);
    }

    private static unsafe bool Probe(out long offset)
    {
        offset = 0;
        try
        {
            Timespec now;
            var before = ToNanoseconds(Stopwatch.GetTimestamp());
            if (ClockGettime(ClockMonotonic, &now) != 0)
            {
                return false;
            }

            offset = (now.Seconds * NanosecondsPerSecond) + now.Nanoseconds - before;
            return true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static long ToNanoseconds(long stopwatchTimestamp) =>
        Stopwatch.Frequency == NanosecondsPerSecond
            ? stopwatchTimestamp
            : (long)((Int128)stopwatchTimestamp * NanosecondsPerSecond / Stopwatch.Frequency);

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static unsafe partial int ClockNanosleep(int clock, int flags, Timespec* request, Timespec* remaining);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static unsafe partial int ClockGettime(int clock, Timespec* time);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
