[assembly: AssemblyFixture(typeof(Chaos.Scenarios.Tests.TempParents))]

namespace Chaos.Scenarios.Tests;

/// <summary>
/// Removes, when the test assembly ends, the shared parent folders in $TMPDIR under which the tests make their own
/// (each test deletes its own folder; the empty parents were left behind, one per test class, after every run). A
/// parent is removed only when empty: another run's folders, or what a failed test kept for inspection, stay.
/// </summary>
public sealed class TempParents : IDisposable
{
    /// <summary>Every parent folder name the tests of this assembly use under $TMPDIR.</summary>
    internal static readonly string[] Names =
    [
        "chaos-capacity-tests", "chaos-crash-tests", "chaos-fault-tests", "chaos-kafka-scenario-tests", "chaos-network-tests",
        "chaos-replay-tests", "chaos-run-tests", "chaos-scenario-tests", "chaos-verify-tests", "chaos-device-faults",
        "chaos-kafka-schedules",
    ];

    public void Dispose()
    {
        foreach (var name in Names)
        {
            try
            {
                Directory.Delete(Path.Combine(Path.GetTempPath(), name));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // absent, or not empty: another run's folders, or a failed test's evidence
            }
        }
    }
}
