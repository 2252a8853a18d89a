namespace Chaos.Harness.History;

/// <summary>Phase names of <c>phase</c> events. Latency is reported per phase; <see cref="Fault"/> and
/// <see cref="Recovery"/> count as the fault phase, everything else as steady state.</summary>
public static class RunPhases
{
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
}
