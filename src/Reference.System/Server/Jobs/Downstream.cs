using Polly;
using Polly.Simmy;
using Polly.Simmy.Fault;
using Polly.Simmy.Latency;

namespace Chaos.Reference.Jobs;

/// <summary>
/// The in-process simulated dependency a credit job calls when no <c>--downstream URL</c> is given (the system's own
/// tests and hand runs), made of Polly's chaos strategies (Simmy): a latency strategy that waits <see cref="LatencyMs"/>
/// when it is above 0, then a fault strategy that throws a <see cref="TransientDownstreamException"/> (a simulated 503)
/// at <see cref="FailureRate"/>. Both read the current settings on every call, so the loopback admin endpoint changes
/// them at run time; the fault's draws come from the process seed. A chaos run uses the harness's outside provider
/// instead (<see cref="HttpDownstream"/>).
/// </summary>
internal sealed class Downstream : IDownstream
{
    private readonly Random _random;
    private readonly Lock _gate = new();
    private readonly ResiliencePipeline _pipeline;

    public Downstream(double failureRate, int latencyMs, int seed, TimeProvider time)
    {
        _random = new Random(seed);
        Configure(failureRate, latencyMs);
        _pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddChaosLatency(new ChaosLatencyStrategyOptions
            {
                InjectionRate = 1,
                EnabledGenerator = _ => ValueTask.FromResult(LatencyMs > 0),
                LatencyGenerator = _ => ValueTask.FromResult(TimeSpan.FromMilliseconds(LatencyMs)),
            })
            .AddChaosFault(new ChaosFaultStrategyOptions
            {
                InjectionRateGenerator = _ => ValueTask.FromResult(FailureRate),
                FaultGenerator = new FaultGenerator().AddException(() => new TransientDownstreamException("downstream unavailable (simulated 503)")),
                Randomizer = NextDouble,
            })
            .Build();
    }

    public double FailureRate { get; private set; }

    public int LatencyMs { get; private set; }

    public void Configure(double? failureRate, int? latencyMs)
    {
        lock (_gate)
        {
            FailureRate = Math.Clamp(failureRate ?? FailureRate, 0, 1);
            LatencyMs = Math.Max(0, latencyMs ?? LatencyMs);
        }
    }

    public Task CallAsync(DownstreamCall call, CancellationToken cancellationToken) =>
        _pipeline.ExecuteAsync(static _ => ValueTask.CompletedTask, cancellationToken).AsTask();

    private double NextDouble()
    {
        lock (_gate)
        {
            return _random.NextDouble();
        }
    }
}
