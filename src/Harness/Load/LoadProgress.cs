namespace Chaos.Harness.Load;

/// <summary>A live snapshot of a running load, for progress displays.</summary>
public readonly record struct LoadProgress(long Intended, long Started, long Completed, long Failed, long Overflowed, long Late, long InFlight);
