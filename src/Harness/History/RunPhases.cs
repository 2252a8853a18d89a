namespace Chaos.Harness.History;

/// <summary>Phase names of <c>phase</c> events. Latency is reported per phase; <see cref="Fault"/> and
/// <see cref="Recovery"/> count as the fault phase, <see cref="Ramp"/> as itself, everything else as steady state.</summary>
public static class RunPhases
{
    /// <summary>The load rising to its rate from cold: reported, judged by no SLO.</summary>
    public const string Ramp = "ramp";

    /// <summary>Warm-up load, steady state measured.</summary>
    public const string Steady = "steady";

    /// <summary>Faults applied under load.</summary>
    public const string Fault = "fault";

    /// <summary>Faults healed, system catching up.</summary>
    public const string Recovery = "recovery";

    /// <summary>Final drain.</summary>
    public const string Drain = "drain";

    /// <summary>Whether a phase counts as the fault phase for latency.</summary>
    public static bool IsFaultPhase(string name) => name is Fault or Recovery;

    /// <summary>Whether a phase is the ramp (latency reported on its own, outside steady and fault).</summary>
    public static bool IsRampPhase(string name) => name is Ramp;
}
