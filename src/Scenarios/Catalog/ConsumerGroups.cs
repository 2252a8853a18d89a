using Chaos.Harness.Runs;
using Chaos.Harness.Topology;
using Chaos.Reference.Adapter;

namespace Chaos.Scenarios.Catalog;

/// <summary>Waits on the reference system's consumer groups, read from the roles' /metrics.</summary>
internal static class ConsumerGroups
{
    private const string Assignments = "refsys.consumer.assignments";

    /// <summary>
    /// Waits (at most <paramref name="bound"/>) until every running instance among <paramref name="consumers"/> has been
    /// assigned partitions in its current incarnation — the group's rebalance after a restart is over, so records
    /// produced meanwhile are being consumed again. Returns whether that happened in time.
    /// </summary>
    public static async Task<bool> WaitForAssignmentsAsync(RunContext context, IEnumerable<ITopologyNode> consumers, TimeSpan bound, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var start = context.TimeProvider.GetTimestamp();
        while (true)
        {
            var running = consumers.Where(c => c.IsRunning).ToList();
            var metrics = await RoleMetrics.ReadAllAsync(running, cancellationToken);
            if (running.All(c => metrics.Any(m => m.Node == c.Name && m.Incarnation == c.Incarnation && m.Counter(Assignments) >= 1)))
            {
                return true;
            }

            if (context.TimeProvider.GetElapsedTime(start) >= bound)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), context.TimeProvider, cancellationToken);
        }
    }
}
