namespace Chaos.Harness.Load;

/// <summary>
/// One second of a load run, for reports. Arrival counts and latency percentiles belong to the operations
/// whose intended start fell in this second; <see cref="Throughput"/> counts operations that finished
/// (ok) in this second, so a stall shows as a dip there and as a peak in latency.
/// </summary>
public sealed record LoadSecond(
    int Second,
    long Intended,
    long Started,
    long Overflowed,
    long Completed,
    long Failed,
    long Throughput,
    TimeSpan P50,
    TimeSpan P95,
    TimeSpan P99,
    TimeSpan Max);
