namespace Chaos.Harness.Checkers;

/// <summary>A <c>phase</c> event: the run entered <see cref="Name"/> at <see cref="Time"/> (ns since run start).</summary>
public sealed record PhaseMark(string Name, long Time, long Index);
