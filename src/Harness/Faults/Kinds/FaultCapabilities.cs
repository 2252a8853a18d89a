namespace Chaos.Harness.Faults.Kinds;

/// <summary>
/// What a deployment must offer for a fault kind to act on it (<see cref="FaultKind.Requires"/>). A run whose schedule
/// names a kind its deployment lacks is refused before anything starts, naming the entry and what is missing
/// (docs/faults.md, "Fault kinds"), instead of failing when the fault phase begins.
/// </summary>
public static class FaultCapabilities
{
    /// <summary>The system's store is a SQLite file the harness can open and lock (not PostgreSQL).</summary>
    public const string SqliteStore = "sqlite-store";

    /// <summary>The capability in words, for an error message.</summary>
    public static string Describe(string capability) => capability switch
    {
        SqliteStore => "the SQLite store, and this run uses PostgreSQL (--postgres)",
        _ => capability,
    };
}
