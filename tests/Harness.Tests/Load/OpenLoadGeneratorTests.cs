using System.Runtime.CompilerServices;
using Chaos.Harness.Load;
using Microsoft.Extensions.Time.Testing;

namespace Chaos.Harness.Tests.Load;

public sealed class OpenLoadGeneratorTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(LoadDispatch.ThreadPool)]
    [InlineData(LoadDispatch.Inline)]
    public async Task RunAsync_FakeClock_StartsAndCompletesEveryArrival(LoadDispatch dispatch)
    {
        var time = new FakeTimeProvider();
        var generator = new OpenLoadGenerator(new OpenLoadOptions
        {
            Profile = ArrivalProfile.Constant(100, TimeSpan.FromSeconds(1)),
            TimeProvider = time,
            Dispatch = dispatch,
        });
        var indices = new System.Collections.Concurrent.ConcurrentBag<long>();

        var run = generator.RunAsync((invocation, _) =>
        {
            indices.Add(invocation.Index);
            return ValueTask.CompletedTask;
        }, Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        var result = await run.WaitAsync(Bound, Ct);

        result.Intended.Should().Be(100);
        result.Started.Should().Be(100);
        result.Completed.Should().Be(100);
        result.Overflowed.Should().Be(0);
        result.Unfinished.Should().Be(0);
        result.Cancelled.Should().BeFalse();
        indices.Should().BeEquivalentTo(Enumerable.Range(0, 100).Select(i => (long)i));
        result.TimeSeries[0].Intended.Should().Be(100);
        result.TimeSeries.Sum(s => s.Throughput).Should().Be(100);
    }

    [Fact]
    public async Task RunAsync_SchedulerReachesArrivalsLate_MeasuresLatencyFromIntendedStart()
    {
        // Arrivals 1..99 of the first second are only reached at t = 2 s (the clock jumps), as if the
        // generator or the machine had stalled: each latency must include the time it was kept waiting.
        // Arrival 0 is due at once and runs before the jump.
        var time = new FakeTimeProvider();
        var generator = new OpenLoadGenerator(new OpenLoadOptions
        {
            Profile = ArrivalProfile.Constant(100, TimeSpan.FromSeconds(1)),
            TimeProvider = time,
        });

        var run = generator.RunAsync((_, _) => ValueTask.CompletedTask, Ct);
        await Eventually.HoldsAsync(() => generator.Progress.Completed == 1, "arrival 0 completed");
        time.Advance(TimeSpan.FromSeconds(2));
        var result = await run.WaitAsync(Bound, Ct);

        result.LatencySummary.Max.TotalMilliseconds.Should().BeApproximately(1_990, 3);
        result.LatencySummary.P50.TotalMilliseconds.Should().BeApproximately(1_490, 3);
        result.LatencySummary.Min.Should().Be(TimeSpan.Zero);
        result.ScheduleLagSummary.Max.TotalMilliseconds.Should().BeApproximately(1_990, 3);
        result.Late.Should().Be(99);
        result.AchievedRate.Should().BeApproximately(50, 1, "100 starts took 2 s");
    }

    [Fact]
    public async Task RunAsync_InFlightLimitReached_CountsOverflowInsteadOfWaiting()
    {
        var time = new FakeTimeProvider();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var generator = new OpenLoadGenerator(new OpenLoadOptions
        {
            Profile = ArrivalProfile.Constant(100, TimeSpan.FromSeconds(1)),
            MaxInFlight = 10,
            TimeProvider = time,
        });

        var run = generator.RunAsync(async (_, ct) => await gate.Task.WaitAsync(ct), Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.HoldsAsync(
            () => generator.Progress is { Intended: 100, Started: 10 },
            "all arrivals were reached and the admitted ones started");

        generator.Progress.Started.Should().Be(10);
        generator.Progress.Overflowed.Should().Be(90);
        generator.Progress.InFlight.Should().Be(10);

        gate.SetResult();
        var result = await run.WaitAsync(Bound, Ct);

        result.Completed.Should().Be(10);
        result.Overflowed.Should().Be(90);
        (result.Started + result.Overflowed).Should().Be(result.Intended);
        result.TimeSeries[0].Overflowed.Should().Be(90);
    }

    [Fact]
    public async Task RunAsync_OperationsNeverFinish_DrainTimesOutAndCountsThemUnfinished()
    {
        var time = new FakeTimeProvider();
        var generator = new OpenLoadGenerator(new OpenLoadOptions
        {
            Profile = ArrivalProfile.Constant(10, TimeSpan.FromSeconds(1)),
            DrainTimeout = TimeSpan.FromSeconds(5),
            TimeProvider = time,
        });

        var run = generator.RunAsync(async (_, ct) => await Task.Delay(Timeout.InfiniteTimeSpan, ct), Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.HoldsAsync(() => generator.Progress.Started == 10, "all operations started");
        time.Advance(TimeSpan.FromSeconds(5));
        var result = await run.WaitAsync(Bound, Ct);

        result.Started.Should().Be(10);
        result.Completed.Should().Be(0);
        result.Failed.Should().Be(0);
        result.Unfinished.Should().Be(10);
        result.Latency.TotalCount.Should().Be(0);
    }

    [Fact]
    public async Task RunAsync_OperationThrows_CountsFailures()
    {
        var time = new FakeTimeProvider();
        var generator = new OpenLoadGenerator(new OpenLoadOptions
        {
            Profile = ArrivalProfile.Constant(100, TimeSpan.FromSeconds(1)),
            TimeProvider = time,
        });

        var run = generator.RunAsync(
            (invocation, _) => invocation.Index % 2 == 1 ? throw new InvalidOperationException("odd") : ValueTask.CompletedTask,
            Ct);
        time.Advance(TimeSpan.FromSeconds(1));
        var result = await run.WaitAsync(Bound, Ct);

        result.Completed.Should().Be(50);
        result.Failed.Should().Be(50);
        result.Latency.TotalCount.Should().Be(50);
    }

    [Fact]
    public async Task StalledTarget_ShowsInOpenLatency_ButHidesInClosedLoop()
    {
        // The target answers at once, except that from 500 ms to 700 ms it does not answer at all:
        // a call that reaches it then is answered at 700 ms. The clock moves in 10 ms steps, one arrival each.
        var profile = ArrivalProfile.Constant(100, TimeSpan.FromSeconds(1));
        var stallStart = TimeSpan.FromMilliseconds(500);
        var stallEnd = TimeSpan.FromMilliseconds(700);

        // Counts the calls that have registered their wait, so the test never moves the clock before one has.
        LoadOperation Target(FakeTimeProvider time, StrongBox<int> waiting) => async (invocation, ct) =>
        {
            if (invocation.ActualStart >= stallStart && invocation.ActualStart < stallEnd)
            {
                var answer = Task.Delay(stallEnd - invocation.ActualStart, time, ct);
                Interlocked.Increment(ref waiting.Value);
                await answer;
            }
        };

        static int StalledBy(TimeSpan now) =>
            now >= TimeSpan.FromMilliseconds(500) && now < TimeSpan.FromMilliseconds(700) ? ((int)now.TotalMilliseconds - 500) / 10 + 1 : 0;

        static int Arrived(TimeSpan now) => (int)(now.TotalMilliseconds / 10) + 1;

        var openTime = new FakeTimeProvider();
        var openWaiting = new StrongBox<int>();
        var open = new OpenLoadGenerator(new OpenLoadOptions { Profile = profile, TimeProvider = openTime });
        var openRun = open.RunAsync(Target(openTime, openWaiting), Ct);
        await StepAsync(openTime, now =>
        {
            var p = open.Progress;
            var waited = now < stallStart ? 0 : now < stallEnd ? StalledBy(now) : 20;
            return p.Started == Arrived(now) && Volatile.Read(ref openWaiting.Value) == waited && p.Completed == Arrived(now) - StalledBy(now);
        });
        var openResult = await openRun.WaitAsync(Bound, Ct);

        var closedTime = new FakeTimeProvider();
        var closedWaiting = new StrongBox<int>();
        var closed = new ClosedLoopGenerator(profile, seed: 0, closedTime);
        var closedRun = closed.RunAsync(Target(closedTime, closedWaiting), Ct);
        await StepAsync(closedTime, now =>
        {
            var p = closed.Progress;
            var waited = now < stallStart ? 0 : 1;
            return Volatile.Read(ref closedWaiting.Value) == waited && (StalledBy(now) > 0
                ? p.Started == 51 && p.Completed == 50
                : p.Started == Arrived(now) && p.Completed == Arrived(now));
        });
        var closedResult = await closedRun.WaitAsync(Bound, Ct);

        // Open: the 20 calls made during the stall waited 200, 190, ..., 10 ms; 80 calls took no time.
        openResult.Completed.Should().Be(100);
        openResult.LatencySummary.Max.TotalMilliseconds.Should().BeApproximately(200, 1);
        openResult.LatencySummary.P99.TotalMilliseconds.Should().BeApproximately(190, 1);
        openResult.LatencySummary.P90.TotalMilliseconds.Should().BeApproximately(100, 1);
        openResult.TimeSeries[0].P99.TotalMilliseconds.Should().BeApproximately(190, 2);

        // Closed: one call saw the stall; the calls it held back were then made late and timed from then.
        closedResult.Completed.Should().Be(100);
        closedResult.LatencySummary.Max.TotalMilliseconds.Should().BeApproximately(200, 1);
        closedResult.LatencySummary.P99.Should().Be(TimeSpan.Zero);
        closedResult.LatencySummary.P90.Should().Be(TimeSpan.Zero);
    }

    [Theory]
    [InlineData(false, LoadDispatch.ThreadPool)]
    [InlineData(true, LoadDispatch.ThreadPool)]
    [InlineData(false, LoadDispatch.Inline)]
    public async Task RunAsync_ShortRealRun_HitsTargetCount(bool spinOnly, LoadDispatch dispatch)
    {
        var generator = new OpenLoadGenerator(new OpenLoadOptions
        {
            Profile = ArrivalProfile.Constant(200, TimeSpan.FromMilliseconds(500)),
            SpinOnly = spinOnly,
            Dispatch = dispatch,
        });

        var result = await generator.RunAsync((_, _) => ValueTask.CompletedTask, Ct).WaitAsync(Bound, Ct);

        result.Intended.Should().Be(100);
        result.Started.Should().Be(100);
        result.Completed.Should().Be(100);
        result.Overflowed.Should().Be(0);
        result.ScheduleLag.TotalCount.Should().Be(100);
        result.Latency.TotalCount.Should().Be(100);
    }

    [Fact]
    public async Task RunAsync_Cancelled_StopsPromptlyAndReportsWhatRan()
    {
        var generator = new OpenLoadGenerator(new OpenLoadOptions
        {
            Profile = ArrivalProfile.Constant(1_000, TimeSpan.FromMinutes(10)),
        });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var run = generator.RunAsync(async (_, ct) => await Task.Delay(TimeSpan.FromMilliseconds(1), ct), cts.Token);
        await Eventually.HoldsAsync(() => generator.Progress.Completed >= 10, "some operations completed");
        await cts.CancelAsync();
        var result = await run.WaitAsync(Bound, Ct);

        result.Cancelled.Should().BeTrue();
        result.Started.Should().BeGreaterThanOrEqualTo(10).And.BeLessThan(600_000);
        (result.Completed + result.Failed + result.Unfinished).Should().Be(result.Started);
    }

    [Fact]
    public async Task RunAsync_ZeroRate_EndsWithoutOperations()
    {
        var generator = new OpenLoadGenerator(new OpenLoadOptions { Profile = ArrivalProfile.Constant(0, TimeSpan.FromHours(1)) });
        var calls = 0;

        var result = await generator.RunAsync((_, _) =>
        {
            Interlocked.Increment(ref calls);
            return ValueTask.CompletedTask;
        }, Ct).WaitAsync(Bound, Ct);

        calls.Should().Be(0);
        result.Intended.Should().Be(0);
        result.TimeSeries.Should().BeEmpty();
        result.LatencySummary.Should().Be(LatencySummary.Empty);
    }

    [Fact]
    public void Constructor_ZeroMaxInFlight_ThrowsNamingField()
    {
        var act = () => new OpenLoadGenerator(new OpenLoadOptions { Profile = ArrivalProfile.Constant(1, TimeSpan.FromSeconds(1)), MaxInFlight = 0 });

        act.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be(nameof(OpenLoadOptions.MaxInFlight));
    }

    [Fact]
    public async Task RunAsync_SecondCall_Throws()
    {
        var time = new FakeTimeProvider();
        var generator = new OpenLoadGenerator(new OpenLoadOptions { Profile = ArrivalProfile.Constant(1, TimeSpan.FromSeconds(1)), TimeProvider = time });
        var first = generator.RunAsync((_, _) => ValueTask.CompletedTask, Ct);

        var second = () => generator.RunAsync((_, _) => ValueTask.CompletedTask, Ct);

        await second.Should().ThrowAsync<InvalidOperationException>();
        time.Advance(TimeSpan.FromSeconds(1));
        await first.WaitAsync(Bound, Ct);
    }

    // Advances the clock 10 ms at a time through a 1 s profile, waiting after each step until the
    // generator has caught up with it, so every operation starts and ends at an exact clock reading.
    private static async Task StepAsync(FakeTimeProvider time, Func<TimeSpan, bool> settled)
    {
        var now = TimeSpan.Zero;
        await Eventually.HoldsAsync(() => settled(now), "the generator settled at 0 ms");
        for (var step = 1; step < 100; step++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            now = TimeSpan.FromMilliseconds(10 * step);
            var at = now;
            await Eventually.HoldsAsync(() => settled(at), $"the generator settled at {at.TotalMilliseconds} ms");
        }

        time.Advance(TimeSpan.FromSeconds(1));
    }
}
