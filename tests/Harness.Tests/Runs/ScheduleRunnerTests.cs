using System.Diagnostics;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.History;
using Chaos.Harness.Runs;

namespace Chaos.Harness.Tests.Runs;

public sealed class ScheduleRunnerTests
{
    /// <summary>Records when it was prepared and applied, in ms from the phase's start; its preparation takes <paramref name="prepareFor"/>.</summary>
    private sealed class PreparedFault(TimeSpan prepareFor, long start) : IPreparedFault
    {
        public long? PreparedAt { get; private set; }

        public long? AppliedAt { get; private set; }

        public string Name => "prepared";

        public string Target => "t";

        public async Task PrepareAsync(CancellationToken cancellationToken)
        {
            await Task.Delay(prepareFor, cancellationToken);
            PreparedAt = (long)Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        public Task ApplyAsync(CancellationToken cancellationToken)
        {
            AppliedAt = (long)Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            return Task.CompletedTask;
        }

        public Task HealAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task APreparedFault_IsPreparedFromThePhasesStart_SoItsApplyIsOnTime_AndNeverBeforeThePreparationEnds()
    {
        // topic-refused's leader read took 1–2 s of a 1 s window on a crowded machine, and its window saw no produce
        // request: a preparation now runs before the window, and the apply waits for it only when it is late
        var ct = TestContext.Current.CancellationToken;
        await using var history = new HistoryWriter(new MemoryStream(), TimeProvider.System, ownsStream: true);
        var start = Stopwatch.GetTimestamp();
        var early = new PreparedFault(TimeSpan.FromMilliseconds(300), start);
        var late = new PreparedFault(TimeSpan.FromMilliseconds(1_500), start);
        var schedule = new FaultSchedule(
        [
            new FaultScheduleEntry(TimeSpan.FromMilliseconds(800), "prepared", "early", TimeSpan.FromMilliseconds(100)),
            new FaultScheduleEntry(TimeSpan.FromMilliseconds(500), "prepared", "late", TimeSpan.FromMilliseconds(100)),
        ]);

        await ScheduleRunner.RunAsync(schedule, e => e.Target == "early" ? early : late, new Nemesis(history), TimeSpan.FromSeconds(2), TimeProvider.System, ct);

        early.PreparedAt.Should().BeLessThan(800, "it was prepared from the phase's start, before its window");
        early.AppliedAt.Should().BeGreaterThanOrEqualTo(early.PreparedAt!.Value).And.BeGreaterThanOrEqualTo(790, "applied at its offset, not before");
        late.AppliedAt.Should().BeGreaterThanOrEqualTo(late.PreparedAt!.Value, "an apply never overtakes its preparation");
        late.PreparedAt.Should().BeGreaterThanOrEqualTo(1_490);
    }
}
