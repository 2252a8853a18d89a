using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>Reads the drain and truncation markers: why a loss-type verdict cannot be decided.</summary>
internal static class RunMarkers
{
    /// <summary>Reasons the drain of <paramref name="target"/> (or of everything) did not finish, and broker truncations.</summary>
    public static List<string> Undecidable(IReadOnlyList<HistoryEvent> history, string target)
    {
        var reasons = new List<string>();
        var openDrains = new Dictionary<string, HistoryEvent>(StringComparer.Ordinal);
        foreach (var e in history)
        {
            if (e.F == HistoryOps.Truncated)
            {
                var marker = e.Op as MarkerValue;
                reasons.Add($"the broker truncated a log{Describe(marker)} (event {e.Index}): loss cannot be decided");
            }
            else if (e.F == HistoryOps.Drain && e.Op is MarkerValue drain && (drain.Target is null || drain.Target == target))
            {
                var key = e.Process + "/" + (drain.Target ?? "");
                if (e.Type == HistoryEventType.Invoke)
                {
                    openDrains[key] = e;
                }
                else
                {
                    openDrains.Remove(key);
                    if (e.Type != HistoryEventType.Ok)
                    {
                        reasons.Add($"the final drain{Describe(drain)} did not finish (event {e.Index} is {HistoryEvent.TypeName(e.Type)})");
                    }
                }
            }
        }

        foreach (var open in openDrains.Values)
        {
            reasons.Add($"the final drain{Describe(open.Op as MarkerValue)} started at event {open.Index} and never finished");
        }

        return reasons;
    }

    private static string Describe(MarkerValue? marker) =>
        marker is null ? "" : marker.Target is null ? (marker.Detail is null ? "" : $" ({marker.Detail})")
        : marker.Detail is null ? $" of {marker.Target}" : $" of {marker.Target} ({marker.Detail})";
}
