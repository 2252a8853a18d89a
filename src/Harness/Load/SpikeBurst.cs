namespace Chaos.Harness.Load;

/// <summary>A burst in a spike profile: from <see cref="At"/> for <see cref="Duration"/> the rate is <see cref="Rate"/> instead of the base rate.</summary>
public sealed record SpikeBurst(TimeSpan At, TimeSpan Duration, double Rate);
