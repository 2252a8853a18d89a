using Chaos.Harness.Faults.Failpoints;
using Chaos.Harness.Topology;

namespace Chaos.Reference.Adapter;

/// <summary>
/// The reference system's failpoints behind the harness's <see cref="IFailpointControl"/>: each request goes to the
/// node's loopback admin endpoint (<see cref="FailpointClient"/>) with the admin key that very node was started with
/// (<see cref="SystemCredentials.AdminAuthorizationOf(ITopologyNode)"/>, docs/security.md).
/// </summary>
public sealed class ReferenceFailpoints(HttpClient? http = null) : IFailpointControl
{
    private static readonly HttpClient SharedHttp = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly HttpClient _http = http ?? SharedHttp;

    public Task ArmAsync(ITopologyNode node, FailpointSettings settings, CancellationToken cancellationToken) =>
        ClientFor(node).ArmAsync(EndpointOf(node), settings, cancellationToken);

    public Task<int?> HitsAsync(ITopologyNode node, string point, CancellationToken cancellationToken) =>
        ClientFor(node).HitsAsync(EndpointOf(node), point, cancellationToken);

    public Task<bool> DisarmAsync(ITopologyNode node, string point, CancellationToken cancellationToken) =>
        ClientFor(node).DisarmAsync(EndpointOf(node), point, cancellationToken);

    private FailpointClient ClientFor(ITopologyNode node) => new(_http, SystemCredentials.AdminAuthorizationOf(node)?.Parameter);

    private static Uri EndpointOf(ITopologyNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Endpoint ?? throw new InvalidOperationException($"node {node.Name} has no HTTP endpoint to reach its failpoints on");
    }
}
