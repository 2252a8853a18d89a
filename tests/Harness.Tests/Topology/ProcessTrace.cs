using System.Globalization;

namespace Chaos.Harness.Tests.Topology;

/// <summary>The pids a probe node announced in its log ("starting pid N", "grandchild: N").</summary>
internal sealed class ProcessTrace(IReadOnlyList<int> pids) : INodeTrace
{
    public IReadOnlyList<string> Items { get; } = [.. pids.Select(p => p.ToString(CultureInfo.InvariantCulture))];

    public async Task<IReadOnlyList<string>> StillAliveAfterAsync(TimeSpan within) =>
        [.. (await TopologyTestSupport.WaitUntilGoneAsync(pids, within)).Select(p => p.ToString(CultureInfo.InvariantCulture))];
}
