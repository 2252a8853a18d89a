using System.Diagnostics.CodeAnalysis;

namespace Chaos.Harness.Proxy.Toxics;

/// <summary>The toxic types the proxy knows, by Toxiproxy's names.</summary>
internal static class ToxicTypes
{
    private static readonly Dictionary<string, ToxicBehavior> ByName = new ToxicBehavior[]
    {
        LatencyToxic.Instance, BandwidthToxic.Instance, SlowCloseToxic.Instance, TimeoutToxic.Instance,
        ResetPeerToxic.Instance, SlicerToxic.Instance, LimitDataToxic.Instance, NoopToxic.Instance, StallToxic.Instance,
    }.ToDictionary(b => b.Type, StringComparer.Ordinal);

    public static bool TryGet(string? type, [NotNullWhen(true)] out ToxicBehavior? behavior)
    {
        behavior = null;
        return type is not null && ByName.TryGetValue(type, out behavior);
    }
}
