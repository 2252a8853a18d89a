using Chaos.Harness.Checkers;
using Chaos.Harness.History;

namespace Chaos.Harness.Reports;

/// <summary>Reads a saved history, checks it with the standard checkers and writes the report files — what
/// <c>chaos check</c> does, and what a run does after its drain (same code, so the verdicts agree).</summary>
public static class OfflineCheck
{
    /// <summary>Checks the history at <paramref name="historyPath"/> and writes the reports into <paramref name="outDirectory"/>.</summary>
    /// <exception cref="HistoryFormatException">A malformed line in strict mode.</exception>
    /// <exception cref="IOException">The history cannot be read or the reports cannot be written.</exception>
    public static async Task<CheckResult> RunAsync(
        string historyPath, string outDirectory, HistoryReadMode mode, CheckOptions options, RunMetadata metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metadata);
        var read = await HistoryReader.ReadAllAsync(historyPath, mode, cancellationToken);
        var result = StandardChecks.Check(read.Events, options);
        var input = new ReportInput(read.Events, result, metadata with
        {
            SkippedLines = read.SkippedCount,
            LatencySlos = options.LatencySlos,
        });
        await RunReport.WriteAsync(input, outDirectory, cancellationToken);
        return result;
    }
}
