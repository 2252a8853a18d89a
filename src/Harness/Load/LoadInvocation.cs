namespace Chaos.Harness.Load;

/// <summary>
/// What an operation is told when it starts: its index in the schedule, the time it was meant to start and
/// the time it actually started, both as offsets from the start of the run.
/// </summary>
public readonly record struct LoadInvocation(long Index, TimeSpan IntendedStart, TimeSpan ActualStart);
