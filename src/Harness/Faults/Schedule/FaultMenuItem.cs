namespace Chaos.Harness.Faults.Schedule;

/// <summary>
/// One fault a scenario may inject: its name, the targets it may hit (in a fixed order: the seed picks by
/// position), its relative weight, its duration range (both null: no duration), and parameter choices
/// (for each parameter name, the values the seed may pick from). <paramref name="Holds"/> names conditions the fault
/// creates for its duration beyond its target (e.g. <c>broker-outage</c>) and <paramref name="Avoids"/> the conditions
/// under which it must not start (its slot is skipped, as for a busy target): two faults that would hide each other's
/// effect — a provider failing while no job can reach it — are kept apart without either leaving the menu.
/// <paramref name="Recovery"/> keeps the target busy that much longer after the fault ends (its heal, or the fault
/// itself, starts the target again, and a second fault on it while it starts would cut that start: system-mix's
/// restart of a gateway was killed mid-start, and the restart never took hold).
/// <paramref name="HoldsOn"/> names conditions held only when the drawn target is the key (a kill of a jobs worker, not
/// of any node, leaves the jobs group rebalancing), and <paramref name="HoldsAfter"/> keeps every condition the fault
/// holds that much past its end (the rebalance its heal sets off).
/// </summary>
public sealed record FaultMenuItem(
    string Fault,
    IReadOnlyList<string> Targets,
    double Weight = 1,
    TimeSpan? MinDuration = null,
    TimeSpan? MaxDuration = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Parameters = null,
    IReadOnlyList<string>? Holds = null,
    IReadOnlyList<string>? Avoids = null,
    TimeSpan? Recovery = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? HoldsOn = null,
    TimeSpan? HoldsAfter = null);
