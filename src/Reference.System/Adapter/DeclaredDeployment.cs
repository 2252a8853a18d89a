using Chaos.Harness.Deployment;
using Chaos.Harness.Faults.Failpoints;
using Chaos.Harness.Topology;

namespace Chaos.Reference.Adapter;

/// <summary>
/// A declared system deployed (<see cref="DeclaredSystemAdapter"/>): its nodes by role, the Kafka it uses, its device
/// endpoints (each device node's hub). A scale-out launches <c>role-N</c>, N the next free number, as the file
/// describes the role. It keeps no database the harness may reach and offers no failpoints.
/// </summary>
internal sealed class DeclaredDeployment(ITopology topology, Func<string, int, NodeSpec> spec, SystemKafka kafka, DeclaredClient client) : ISystemDeployment
{
    private readonly List<ITopologyNode> _started = [];
    private readonly List<ITopologyNode> _added = [];
    private readonly HashSet<string> _reserved = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public IReadOnlyList<ITopologyNode> Nodes
    {
        get
        {
            lock (_gate)
            {
                return [.. _started];
            }
        }
    }

    public SystemKafka Kafka { get; } = kafka;

    public string DeviceRole => client.Devices;

    public IReadOnlyList<Uri> DeviceEndpoints => [.. Nodes.Where(n => n.Role == client.Devices).Select(n => new Uri(n.Endpoint!, client.Hub))];

    public string? Database => null;

    public IFailpointControl? Failpoints => null;

    public IReadOnlyList<ITopologyNode> InstancesOf(string role)
    {
        lock (_gate)
        {
            return [.. _started.Concat(_added).Where(n => n.Role == role)];
        }
    }

    public async Task<ITopologyNode> LaunchInstanceAsync(string role, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        int instance;
        lock (_gate)
        {
            if (!_started.Any(n => n.Role == role))
            {
                throw new ArgumentException($"the system has no role '{role}'", nameof(role));
            }

            var taken = topology.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            instance = 1;
            while (taken.Contains($"{role}-{instance}") || _reserved.Contains($"{role}-{instance}"))
            {
                instance++;
            }

            // reserved before the (slow) launch so two concurrent scale-outs pick different names
            _reserved.Add($"{role}-{instance}");
        }

        var node = await topology.LaunchAsync(spec(role, instance), cancellationToken);
        lock (_gate)
        {
            _added.Add(node);
        }

        return node;
    }

    /// <summary>Records the instances of one role started with the deployment.</summary>
    internal void Started(IEnumerable<ITopologyNode> nodes)
    {
        lock (_gate)
        {
            _started.AddRange(nodes);
        }
    }
}
