namespace Chaos.Harness.Runs;

/// <summary>A live snapshot of a run, reported about once a second.</summary>
public sealed record RunProgress(
    string Phase,
    TimeSpan Elapsed,
    double SendsPerSecond,
    long SendsOk,
    long SendsFailed,
    long SendsUnknown,
    long HistoryEvents,
    IReadOnlyList<string> ActiveFaults);
