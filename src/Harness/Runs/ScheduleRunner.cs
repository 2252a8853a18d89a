using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Schedule;

namespace Chaos.Harness.Runs;

/// <summary>
/// Plays a fault schedule against the run: each entry is applied at its offset from the start of the fault phase and
/// healed after its duration (or at the end of the phase); everything is healed when the phase ends or is aborted.
/// </summary>
public static class ScheduleRunner
{
    public static async Task RunAsync(FaultSchedule schedule, Func<FaultScheduleEntry, IFault> resolve, Nemesis nemesis, TimeSpan phase, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(resolve);
        ArgumentNullException.ThrowIfNull(nemesis);
        var start = time.GetTimestamp();
        using var phaseEnd = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var entries = schedule.Entries.Where(e => e.At < phase).ToList();
        var faults = entries.Select(resolve).ToList(); // resolve everything first: a bad entry fails before any fault is applied

        async Task PlayAsync(FaultScheduleEntry entry, IFault fault)
        {
            // a fault's preparation changes nothing, so it runs from the phase's start: its window is then its effect
            var prepared = fault is IPreparedFault p ? p.PrepareAsync(phaseEnd.Token) : Task.CompletedTask;
            await DelayUntilAsync(start, entry.At, time, phaseEnd.Token);
            await prepared;
            var id = await nemesis.ApplyAsync(fault, entry.At, phaseEnd.Token, entry.Parameters);
            if (id is null)
            {
                return;
            }

            var healAt = entry.HealAt is { } h && h < phase ? h : phase;
            try
            {
                await DelayUntilAsync(start, healAt, time, phaseEnd.Token);
            }
            catch (OperationCanceledException)
            {
                // aborted: heal below all the same
            }

            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await nemesis.HealAsync(id, bound.Token);
        }

        var plays = entries.Zip(faults, PlayAsync).ToList();
        try
        {
            await DelayUntilAsync(start, phase, time, cancellationToken);
        }
        finally
        {
            await phaseEnd.CancelAsync();
            try
            {
                await Task.WhenAll(plays);
            }
            catch (OperationCanceledException)
            {
                // entries not yet due when the phase ended were never applied
            }

            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await nemesis.HealAllAsync(bound.Token);
        }
    }

    private static Task DelayUntilAsync(long start, TimeSpan offset, TimeProvider time, CancellationToken cancellationToken)
    {
        var wait = offset - time.GetElapsedTime(start);
        return wait > TimeSpan.Zero ? Task.Delay(wait, time, cancellationToken) : Task.CompletedTask;
    }
}
