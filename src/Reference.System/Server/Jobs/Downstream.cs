namespace Chaos.Reference.Jobs;

/// <summary>
/// The in-process simulated dependency a credit job calls when no <c>--downstream URL</c> is given (the system's own
/// tests and hand runs). Failure rate and latency change at run time through the loopback admin endpoint; failures are
/// drawn from the process seed. A chaos run uses the harness's outside provider instead (<see cref="HttpDownstream"/>).
/// </summary>
internal sealed class Downstream(double failureRate, int latencyMs, int seed, TimeProvider time) : IDownstream
{
    private readonly Random _random = new(seed);
    private readonly Lock _gate = new();

    public double FailureRate { get; private set; } = failureRate;

    public int LatencyMs { get; private set; } = latencyMs;

    public void Configure(double? failureRate, int? latencyMs)
    {
        lock (_gate)
        {
            FailureRate = Math.Clamp(failureRate ?? FailureRate, 0, 1);
            LatencyMs = Math.Max(0, latencyMs ?? LatencyMs);
        }
    }

    public async Task CallAsync(DownstreamCall call, CancellationToken cancellationToken)
    {
        int latency;
        bool fail;
        lock (_gate)
        {
            latency = LatencyMs;
            fail = _random.NextDouble() < FailureRate;
        }

        if (latency > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(latency), time, cancellationToken);
        }

        if (fail)
        {
            throw new TransientDownstreamException("downstream unavailable (simulated 503)");
        }
    }
}
