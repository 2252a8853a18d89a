namespace Chaos.Harness.Checkers;

/// <summary>One time bucket of the latency and throughput series: sends invoked and deliveries made in
/// [<see cref="Start"/>, <see cref="End"/>) (ns since run start), with the latency percentiles of those deliveries.</summary>
public sealed record LatencyBucket(long Start, long End, long Sends, long Deliveries, long P50, long P95, long P99);
