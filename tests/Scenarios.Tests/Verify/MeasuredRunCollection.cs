namespace Chaos.Scenarios.Tests.Verify;

/// <summary>
/// Runs at the default load (a thousand devices, about 2,000 deliveries/s) whose verdict depends on timing (latency
/// SLOs, the retry envelope): they run alone, after the parallel tests, not beside other runs on the same two cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredRunCollection
{
    public const string Name = "measured runs";
}
