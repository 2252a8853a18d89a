using Chaos.Harness.Devices;
using Chaos.Harness.History;
using Chaos.Harness.Runs;

namespace Chaos.Scenarios.Catalog;

/// <summary>Helpers for took-effect checks: bounded waits for evidence, one sentence out of the problems found, and
/// the evidence written into the history.</summary>
internal static class FaultEvidence
{
    /// <summary>Polls <paramref name="condition"/> until true or <paramref name="timeout"/>; returns whether it held.</summary>
    public static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var start = time.GetTimestamp();
        while (!condition())
        {
            if (time.GetElapsedTime(start) > timeout)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
        }

        return true;
    }

    /// <summary>Every fault healed: gives the run's devices a bounded 20 s to be connected again before evidence is judged.</summary>
    public static Task<bool> WaitForDevicesAsync(RunContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return WaitAsync(() => context.Workload.Devices.All(d => d.Client.State == DeviceConnectionState.Connected), TimeSpan.FromSeconds(20), context.TimeProvider, cancellationToken);
    }

    /// <summary>The devices (their history process names) not connected now.</summary>
    public static List<string> Disconnected(RunContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return [.. context.Workload.Devices.Where(d => d.Client.State != DeviceConnectionState.Connected).Select(d => d.Process)];
    }

    /// <summary>The nemesis's tries of the schedule's entries: each planned time, with whether that try took hold.</summary>
    public static List<(TimeSpan PlannedAt, bool TookHold)> Attempts(IReadOnlyList<AppliedFault> applied) =>
        [.. applied.Where(a => a.PlannedAt is not null).Select(a => (a.PlannedAt!.Value, a.TookHold))];

    /// <summary>Null when nothing is wrong, else the problems joined into one sentence.</summary>
    public static string? Sentence(IReadOnlyList<string> problems) => problems.Count == 0 ? null : string.Join("; ", problems);

    /// <summary>
    /// Writes what a took-effect check measured into the history (<c>f = "verify"</c>, an info event of the nemesis,
    /// ignored by the checkers), so the evidence that the faults took effect stays with the run.
    /// </summary>
    public static void Record(RunContext context, string detail)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.History.Record(HistoryOps.NemesisProcess, HistoryEventType.Info, "verify", new MarkerValue(Detail: detail));
    }
}
