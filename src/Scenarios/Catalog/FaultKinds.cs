using Chaos.Harness.Deployment;
using Chaos.Harness.Faults.Kinds;
using Chaos.Harness.Faults.Process;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Faults.Storage;
using Chaos.Harness.Runs;
using Chaos.Harness.Topology;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// Every fault kind a schedule may name against the reference system, each declared once beside the factory that
/// makes it: what incident files are validated against (<c>chaos replay</c>), what random-mix counts families by,
/// what <c>chaos list --faults</c> prints, and what docs/faults.md must list (a test holds them together).
/// </summary>
internal static class FaultKinds
{
    public static FaultRegistry Registry { get; } = new(
    [
        .. ProcessFaultFactory.Kinds,
        .. ProxyFaultFactory.Kinds,
        .. KafkaFaultFactory.Kinds,
        .. DeviceFaultFactory.Kinds,
        .. JobRetryStormScenario.DownstreamKinds,
        .. FanoutSpikeScenario.Kinds,
        SqliteLockFault.Kind,
        PostgresDisconnectFault.Kind,
        StorageFullFault.Kind,
        SlowFsyncFault.Kind,
    ]);

    /// <summary>
    /// Why the deployment <paramref name="options"/> describe cannot take every fault of <paramref name="schedule"/>
    /// (the first entry whose kind needs what it lacks, and how many more), or null when it can.
    /// </summary>
    public static string? Unsupported(FaultSchedule schedule, RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(options);
        // what the system offers (its adapter says), less SQLite when the run gives it PostgreSQL; and the run's own:
        // a run against a cluster it did not start (--kafka-bootstrap) has no control channel for the broker faults
        var offered = new HashSet<string>(options.System?.Capabilities ?? new HashSet<string>(), StringComparer.Ordinal);
        if (options.Postgres is not null)
        {
            offered.Remove(FaultCapabilities.SqliteStore);
            offered.Add(FaultCapabilities.PostgresStore);
        }

        if (offered.Contains(FaultCapabilities.SqliteStore) && options.Topology == TopologyKind.Processes && StorageVolume.Unavailable is null)
        {
            offered.Add(FaultCapabilities.StorageVolume);
        }

        if (offered.Contains(FaultCapabilities.SqliteStore) && options.Topology == TopologyKind.Processes && FsyncShim.Unavailable is null)
        {
            offered.Add(FaultCapabilities.FsyncShim);
        }

        if (options.KafkaBootstrap is null)
        {
            offered.Add(FaultCapabilities.EmbeddedKafka);
        }

        var missing = schedule.Entries
            .Select((entry, index) => (Entry: entry, Index: index, Need: Registry.Find(entry.Fault)?.Requires.FirstOrDefault(r => !offered.Contains(r))))
            .Where(m => m.Need is not null)
            .ToList();
        if (missing.Count == 0)
        {
            return null;
        }

        var (first, at, need) = missing[0];
        return $"faults[{at}]: {first.Fault} at {DurationText.Format(first.At)} needs {FaultCapabilities.Describe(need!)}"
            + (missing.Count > 1 ? $" ({missing.Count - 1} more such)" : "");
    }

    /// <summary>The family of a schedule's fault name (process, proxy, kafka, storage, downstream, device, load).</summary>
    public static string FamilyOf(string fault) => Registry.Get(fault).Family;
}
