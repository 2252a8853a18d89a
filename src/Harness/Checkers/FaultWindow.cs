namespace Chaos.Harness.Checkers;

/// <summary>A fault from the nemesis's fault event to its heal (ns since run start); <see cref="Healed"/> is false when
/// no heal was recorded (the window then ends at the history's last event).</summary>
public sealed record FaultWindow(string Fault, string? Target, long Start, long End, long StartIndex, long EndIndex, bool Healed);
