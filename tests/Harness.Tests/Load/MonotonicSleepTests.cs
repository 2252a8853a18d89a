using System.Diagnostics;
using Chaos.Harness.Load;

namespace Chaos.Harness.Tests.Load;

public sealed class MonotonicSleepTests
{
    [Fact]
    public void IsSupported_OnLinux64_IsTrue()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess)
        {
            Assert.Skip("clock_nanosleep is used on 64-bit Linux only.");
        }

        MonotonicSleep.IsSupported.Should().BeTrue();
    }

    [Fact]
    public void SleepUntil_FutureDeadline_SleepsInsteadOfReturningAtOnce()
    {
        if (!MonotonicSleep.IsSupported)
        {
            Assert.Skip("clock_nanosleep is used on 64-bit Linux only.");
        }

        var deadline = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 50);
        var calls = 0;
        while (Stopwatch.GetTimestamp() < deadline && calls < 1_000)
        {
            MonotonicSleep.SleepUntil(deadline);
            calls++;
        }

        // A call that returned at once would have been repeated hundreds of times in 20 ms; a signal may
        // cut one sleep short, so allow a few.
        Stopwatch.GetTimestamp().Should().BeGreaterThanOrEqualTo(deadline);
        calls.Should().BeLessThanOrEqualTo(5);
    }
}
