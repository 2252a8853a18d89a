using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.History;
using Chaos.Harness.Runs;
using Microsoft.Extensions.Time.Testing;

namespace Chaos.Harness.Tests.Runs;

public sealed class ScheduleRunnerTests
{
    /// <summary>A fault whose preparation ends only when the test says so.</summary>
    private sealed class GatedFault : IPreparedFault
    {
        public TaskCompletionSource Preparing { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Prepared { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Applied { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Name => "prepared";

        public string Target => "t";

        public async Task PrepareAsync(CancellationToken cancellationToken)
        {
            Preparing.TrySetResult();
            await Prepared.Task.WaitAsync(cancellationToken);
        }

        public Task ApplyAsync(CancellationToken cancellationToken)
        {
            Applied.TrySetResult();
            return Task.CompletedTask;
        }

        public Task HealAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task A_prepared_fault_is_prepared_when_the_phase_starts_and_applied_only_after_its_preparation_ends()
    {
        // topic-refused's leader read took 1–2 s of a 1 s window on a crowded machine, and its window saw no produce
        // request: a preparation now runs before the window, and the apply waits for it
        var ct = TestContext.Current.CancellationToken;
        await using var history = new HistoryWriter(new MemoryStream(), TimeProvider.System, ownsStream: true);
        var time = new FakeTimeProvider();
        var fault = new GatedFault();
        var schedule = new FaultSchedule([new FaultScheduleEntry(TimeSpan.FromMilliseconds(800), "prepared", "t", TimeSpan.FromMilliseconds(100))]);

        var run = ScheduleRunner.RunAsync(schedule, _ => fault, new Nemesis(history), TimeSpan.FromSeconds(2), time, ct);

        await fault.Preparing.Task.WaitAsync(TimeSpan.FromSeconds(10), ct); // no time has passed: before its window
        time.Advance(TimeSpan.FromMilliseconds(800));
        await Task.Delay(200, ct);
        fault.Applied.Task.IsCompleted.Should().BeFalse("its window has come, but its preparation has not ended");
        fault.Prepared.SetResult();
        await fault.Applied.Task.WaitAsync(TimeSpan.FromSeconds(10), ct);
        time.Advance(TimeSpan.FromSeconds(2));
        await run.WaitAsync(TimeSpan.FromSeconds(10), ct);
    }
}
