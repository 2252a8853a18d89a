using Chaos.Harness.Faults.Kinds;
using Chaos.Harness.Faults.Process;
using Chaos.Harness.Faults.Storage;

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
    ]);

    /// <summary>The family of a schedule's fault name (process, proxy, kafka, storage, downstream, device, load).</summary>
    public static string FamilyOf(string fault) => Registry.Get(fault).Family;
}
