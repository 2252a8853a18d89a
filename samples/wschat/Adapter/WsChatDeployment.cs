using Chaos.Harness.Deployment;
using Chaos.Harness.Faults.Failpoints;
using Chaos.Harness.Topology;

namespace WsChat.Adapter;

/// <summary>The wschat system deployed: its one chat node, and the Kafka it uses.</summary>
public sealed class WsChatDeployment : ISystemDeployment
{
    /// <summary>The messages topic, keyed by recipient (the server's <c>ServerOptions.Topic</c>).</summary>
    public const string Topic = "wschat.messages";

    /// <summary>The consumer group that writes the inboxes (the server's <c>ServerOptions.Group</c>).</summary>
    public const string Group = "wschat-inbox";

    /// <param name="chat">The chat node.</param>
    /// <param name="kafka">The cluster, with the topics and group of the adapter's shape.</param>
    public WsChatDeployment(ITopologyNode chat, SystemKafka kafka)
    {
        Chat = chat;
        Nodes = [chat];
        Kafka = kafka;
    }

    /// <summary>The chat node: api, consumer and WebSocket push in one process.</summary>
    public ITopologyNode Chat { get; }

    public IReadOnlyList<ITopologyNode> Nodes { get; }

    public SystemKafka Kafka { get; }

    public string DeviceRole => WsChatAdapter.Role;

    public IReadOnlyList<Uri> DeviceEndpoints => [new Uri(Chat.Endpoint!, "/ws")];

    /// <summary>None the harness may reach: the inbox journal is the chat node's own file.</summary>
    public string? Database => null;

    public IFailpointControl? Failpoints => null;

    public IReadOnlyList<ITopologyNode> InstancesOf(string role) => role == WsChatAdapter.Role ? Nodes : [];

    public Task<ITopologyNode> LaunchInstanceAsync(string role, CancellationToken cancellationToken) =>
        throw new NotSupportedException("the wschat system runs one chat instance: its inbox journal has one writer");
}
