using Chaos.Harness.Checkers;

namespace Chaos.Scenarios.Verify;

/// <summary>
/// Runs a verify cell again, with the same seed, when its run was undecided — the harness could not start its sends on
/// time, a fault had nothing to act on, a promise was not exercised — because undecided is not a verdict on the system
/// and a matrix cell needs one (docs/defects.md, "Undecided runs"). A false alarm, a missed defect or a caught one is
/// never run again: re-running until green would hide exactly the flakiness the matrix exists to show. Every earlier
/// attempt stays in the report, with its reason and folder.
/// </summary>
internal static class UndecidedRetry
{
    /// <summary>Most re-runs of one cell the command accepts.</summary>
    public const int MaxRetries = 5;

    /// <summary>
    /// Runs <paramref name="attempt"/> (given 0 for the first run, 1.. for re-runs) until its cell decides or
    /// <paramref name="retries"/> re-runs are spent; the last cell carries the earlier ones.
    /// </summary>
    public static async Task<VerifyCell> RunAsync(Func<int, Task<VerifyCell>> attempt, int retries, Action<VerifyCell, int>? onUndecided, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retries);
        var earlier = new List<string>();
        for (var n = 0; ; n++)
        {
            var cell = await attempt(n);
            if (cell.Verdict != Verdict.Unknown || n >= retries || cancellationToken.IsCancellationRequested)
            {
                return earlier.Count == 0 ? cell : cell with { EarlierAttempts = earlier };
            }

            earlier.Add($"{cell.Outcome} — {cell.Message} ({cell.Directory})");
            onUndecided?.Invoke(cell, n + 1);
        }
    }
}
