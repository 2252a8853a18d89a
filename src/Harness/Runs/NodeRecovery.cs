using System.Globalization;
using Chaos.Harness.History;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Runs;

/// <summary>
/// Whether the system came back: once every fault is healed and the drain is done, each node the deployment started must
/// be running. One that is not — it exited by itself, or the harness's restart of it (a heal, a process-restart) exited
/// before it was ready or never became ready — is the system's failure to recover, recorded in the history as a
/// <see cref="HistoryOps.NodeDown"/> event that the availability checker turns into a <c>node-down</c> anomaly (exit 1).
/// Before, such a run ended unknown ("the faults did not take effect"), as if the harness had failed: a gateway that
/// crash-looped after a restart during a broker outage looked like a harness error (docs/checkers.md, "node-down").
/// A node the environment kept down — it exited saying its port was taken by another program — is not the system's
/// doing: it is returned as a problem of the run (unknown), not recorded.
/// </summary>
internal static class NodeRecovery
{
    /// <summary>Records a <see cref="HistoryOps.NodeDown"/> event for every node of <paramref name="nodes"/> that is not
    /// running; returns the problems of the run (nodes kept down by the environment), empty when none.</summary>
    public static IReadOnlyList<string> Record(HistoryWriter history, IEnumerable<ITopologyNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(nodes);
        var problems = new List<string>();
        foreach (var node in nodes)
        {
            if (node.State is NodeState.Running or NodeState.Paused)
            {
                continue;
            }

            var tail = node.LogTail(5);
            if (tail.Any(NodeLaunches.SaysPortTaken))
            {
                problems.Add($"{node.Name} is down: it could not bind its port (taken by another program), which is not the system's doing");
                continue;
            }

            history.Record(HistoryOps.NemesisProcess, HistoryEventType.Info, HistoryOps.NodeDown, new MarkerValue(node.Name, "down after every fault was healed and the drain done: " + Describe(node, tail)));
        }

        return problems;
    }

    private static string Describe(ITopologyNode node, IReadOnlyList<string> tail)
    {
        var state = node.State switch
        {
            NodeState.Exited => node.ExitCode is { } code
                ? string.Create(CultureInfo.InvariantCulture, $"incarnation {node.Incarnation} exited with {code}")
                : string.Create(CultureInfo.InvariantCulture, $"incarnation {node.Incarnation} exited"),
            NodeState.Starting => string.Create(CultureInfo.InvariantCulture, $"incarnation {node.Incarnation} never became ready"),
            _ => string.Create(CultureInfo.InvariantCulture, $"incarnation {node.Incarnation} is {node.State.ToString().ToLowerInvariant()}"),
        };
        var last = tail.LastOrDefault(l => !string.IsNullOrWhiteSpace(l));
        return last is null ? state : $"{state}; its log ends: {(last.Length > 300 ? last[..300] + "…" : last)}";
    }
}
