using System.Runtime.ExceptionServices;

namespace Chaos.Harness.Topology;

/// <summary>Launching several nodes at once, the same for every back-end: all in parallel, and the first failure stops the rest.</summary>
internal static class NodeLaunches
{
    /// <summary>
    /// Launches every spec with <paramref name="launch"/> at once. When one fails, the others are cancelled, those
    /// already up are killed with <paramref name="killQuietly"/>, and the root cause is thrown (not the cancellations
    /// it caused in the sibling launches).
    /// </summary>
    public static async Task<IReadOnlyList<ITopologyNode>> LaunchAllAsync(
        IEnumerable<NodeSpec> specs,
        Func<NodeSpec, CancellationToken, Task<ITopologyNode>> launch,
        Func<ITopologyNode, Task> killQuietly,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var list = specs.ToList();
        using var failFast = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var launches = list.Select(async spec =>
        {
            try
            {
                return await launch(spec, failFast.Token);
            }
            catch
            {
                await failFast.CancelAsync();
                throw;
            }
        }).ToList();
        try
        {
            return await Task.WhenAll(launches);
        }
        catch
        {
            foreach (var started in launches.Where(l => l.IsCompletedSuccessfully))
            {
                await killQuietly(started.Result);
            }

            var root = launches.Where(l => l.IsFaulted).Select(l => l.Exception!.InnerException!)
                .FirstOrDefault(e => e is not OperationCanceledException);
            if (root is not null)
            {
                ExceptionDispatchInfo.Throw(root);
            }

            throw;
        }
    }
}
