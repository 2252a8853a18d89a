namespace Chaos.Harness.Checkers;

/// <summary>What a scenario tells the checkers: latency thresholds, the retry and reconnect envelopes, anomalies it
/// declares informational (name → reason), and the promises its history must exercise.</summary>
public sealed record CheckOptions
{
    /// <summary>Latency SLOs; none means latency is reported, not judged.</summary>
    public IReadOnlyList<LatencyThreshold> LatencySlos { get; init; } = [];

    /// <summary>The job retry policy's envelope.</summary>
    public RetryEnvelope Retries { get; init; } = new();

    /// <summary>The device clients' reconnect pacing (unjudged unless its minimum delay is set: a run sets it to what
    /// it gave its clients).</summary>
    public ReconnectEnvelope Reconnects { get; init; } = new();

    /// <summary>How many requests the system may turn away while no fault is active.</summary>
    public AvailabilityBudget Availability { get; init; } = new();

    /// <summary>Anomalies this scenario reports without failing on, each with its reason.</summary>
    public IReadOnlyDictionary<string, string> Informational { get; init; } = new Dictionary<string, string>();

    /// <summary>The promises (<see cref="PromiseNames"/>) the history must exercise: one that was not makes the verdict
    /// unknown (<see cref="ExerciseCheck"/>). Default: the delivery promises (<see cref="PromiseNames.Delivery"/>).</summary>
    public IReadOnlyList<string> RequiredPromises { get; init; } = PromiseNames.Delivery;
}
