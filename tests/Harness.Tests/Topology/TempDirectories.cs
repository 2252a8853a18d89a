using System.Collections.Concurrent;

[assembly: AssemblyFixture(typeof(Chaos.Harness.Tests.Topology.TempDirectories))]

namespace Chaos.Harness.Tests.Topology;

/// <summary>
/// Removes every folder <see cref="TopologyTestSupport.NewTempDirectory"/> made, when the test assembly ends: the
/// topology tests' run, state and working folders were left in $TMPDIR/chaos-tests — 250 after a day of CI runs.
/// </summary>
public sealed class TempDirectories : IDisposable
{
    internal static ConcurrentBag<string> Created { get; } = [];

    public void Dispose()
    {
        foreach (var dir in Created)
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // already gone, or held by a process the test itself reports; nothing to do at the end of the run
            }
        }

        // the shared parent, when this run was its only user
        try
        {
            Directory.Delete(Path.Combine(Path.GetTempPath(), "chaos-tests"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // not empty: another run's folders, or leftovers of an older build
        }
    }
}
