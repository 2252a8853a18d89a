namespace Chaos.Harness.Faults;

/// <summary>
/// A fault that can say what actually happened when it was applied and healed (e.g. <c>crashed at hit 3; restarted
/// as incarnation 2</c>). The nemesis writes it into the heal event, and scenarios read it to verify the fault took effect.
/// </summary>
public interface IFaultOutcome
{
    /// <summary>What happened so far, in one line; null before the fault was applied.</summary>
    string? Outcome { get; }
}
