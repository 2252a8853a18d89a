using System.Globalization;
using System.Net;
using Chaos.Harness.Kafka;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Deployment;

/// <summary>
/// The Kafka a deployed system uses (docs/architecture.md, "The deployment seam"): where it is, the topics the system
/// expects and the consumer groups its roles form — what the drain's lag check, the record faults (replay, rewind,
/// topic refused) and the rebalance waits read. <see cref="Control"/> and <see cref="Node"/> are set only for the
/// embedded cluster a run starts itself (docs/embedded-kafka.md): the broker faults need its control channel.
/// </summary>
public sealed record SystemKafka(string BootstrapServers, IReadOnlyList<KafkaTopic> Topics, IReadOnlyList<KafkaConsumerGroup> ConsumerGroups)
{
    /// <summary>The embedded cluster's fault control channel; null for a cluster the run did not start.</summary>
    public KafkaControlClient? Control { get; init; }

    /// <summary>The embedded cluster's host node; null for a cluster the run did not start.</summary>
    public ITopologyNode? Node { get; init; }

    /// <summary>The consumer group <paramref name="role"/>'s instances form, or null when the role forms none.</summary>
    public KafkaConsumerGroup? GroupOf(string role) => ConsumerGroups.FirstOrDefault(g => g.Role == role);

    /// <summary>
    /// The Kafka a deployment of <paramref name="shape"/> uses, ready for its nodes: the cluster at
    /// <paramref name="existingBootstrap"/> (checked and its topics made: <see cref="ExistingKafka.PrepareAsync"/>), or,
    /// when that is null, the embedded cluster launched on <paramref name="topology"/> as the node <c>kafka</c>
    /// (<c>chaos kafka</c> with the shape's brokers and topics, docs/embedded-kafka.md) with its control channel
    /// connected. What an adapter of any system calls first in its <see cref="ISystemAdapter.DeployAsync"/>.
    /// </summary>
    /// <exception cref="ExistingKafkaException">The existing cluster cannot take the run (nothing was started).</exception>
    public static async Task<SystemKafka> StartAsync(ITopology topology, string? existingBootstrap, SystemShape shape, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(shape);
        if (existingBootstrap is not null)
        {
            await ExistingKafka.PrepareAsync(existingBootstrap, shape.Topics, cancellationToken).ConfigureAwait(false);
            return new SystemKafka(existingBootstrap, shape.Topics, shape.ConsumerGroups);
        }

        var node = await topology.LaunchAsync(
            NodeSpec.For(
                "kafka",
                "kafka",
                ToolLocator.ChaosTool(),
                [
                    "kafka", "--brokers", shape.Brokers.ToString(CultureInfo.InvariantCulture), "--control-port", "{port:control}",
                    .. shape.Topics.SelectMany(t => new[] { "--topic", $"{t.Name}:{t.Partitions.ToString(CultureInfo.InvariantCulture)}" }),
                ]) with
            {
                Readiness = ReadinessCheck.Line(@"^bootstrap: (?<bootstrap>\S+)$"),
            },
            cancellationToken).ConfigureAwait(false);
        var control = await KafkaControlClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, node.Ports["control"]), cancellationToken).ConfigureAwait(false);
        return new SystemKafka(control.BootstrapServers, shape.Topics, shape.ConsumerGroups) { Control = control, Node = node };
    }

    /// <summary>The embedded cluster's control channel, or an error naming <paramref name="needer"/>, which needs it.</summary>
    public KafkaControlClient RequireControl(string needer) =>
        Control ?? throw new InvalidOperationException($"{needer} needs the embedded Kafka's control channel; this run's Kafka ({BootstrapServers}) was not started by it");
}

/// <summary>A topic the system expects, with its partition count.</summary>
public sealed record KafkaTopic(string Name, int Partitions);

/// <summary>A consumer group: the role whose instances form it, its name, and the topic it consumes.</summary>
public sealed record KafkaConsumerGroup(string Role, string Group, string Topic);
