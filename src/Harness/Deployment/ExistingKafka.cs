using System.Globalization;
using Chaos.Harness.Topology;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Chaos.Harness.Deployment;

/// <summary>
/// A Kafka cluster the run did not start (<c>--kafka-bootstrap</c>; docs/running.md, "An existing Kafka"): checked before
/// any node of the system starts — the bootstrap list well formed and on loopback unless remote targets are allowed,
/// the cluster answering, each topic the system expects present with its partition count (created when absent and the
/// cluster lets us) and **empty**, since records of an earlier run would reach this run's devices as messages no one
/// sent. What it cannot offer: the broker faults, which need the embedded cluster's control channel
/// (<c>FaultCapabilities.EmbeddedKafka</c>).
/// </summary>
public static class ExistingKafka
{
    /// <summary>How long the cluster has to answer a metadata request.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Checks <paramref name="bootstrap"/> as given on the command line: a comma-separated list of <c>host:port</c>,
    /// loopback hosts only unless <paramref name="allowRemote"/>. Returns the list normalised (no blanks).
    /// </summary>
    /// <param name="bootstrap">The list as given.</param>
    /// <param name="allowRemote">Whether hosts that are not loopback are allowed.</param>
    /// <param name="context">Where the list came from, for the messages (the flag, or a system file's key).</param>
    /// <exception cref="ArgumentException">The list is malformed; the message names the entry.</exception>
    /// <exception cref="NonLoopbackTargetException">An entry is not loopback and remote targets are not allowed.</exception>
    public static string ParseBootstrap(string bootstrap, bool allowRemote, string context = "--kafka-bootstrap")
    {
        ArgumentNullException.ThrowIfNull(bootstrap);
        var parts = bootstrap.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            throw new ArgumentException($"{context}: give host:port[,host:port...] of the cluster");
        }

        foreach (var part in parts)
        {
            var colon = part.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(part[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new ArgumentException($"{context}: '{part}' is not host:port (a port 1-65535)");
            }
        }

        var list = string.Join(',', parts);
        LoopbackGuard.EnsureAllowed(list, allowRemote, context); // the harness's one loopback policy
        return list;
    }

    /// <summary>
    /// Makes the cluster at <paramref name="bootstrap"/> ready for a run of a system that expects <paramref name="topics"/>,
    /// or says why it cannot be: the cluster does not answer, a topic has another partition count, holds records, or is
    /// absent and cannot be created.
    /// </summary>
    /// <exception cref="ExistingKafkaException">The cluster cannot take the run; the message names what is wrong.</exception>
    public static async Task PrepareAsync(string bootstrap, IReadOnlyList<KafkaTopic> topics, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(bootstrap);
        ArgumentNullException.ThrowIfNull(topics);
        await Task.Run(() => Prepare(bootstrap, topics), cancellationToken).WaitAsync(cancellationToken);
    }

    private static void Prepare(string bootstrap, IReadOnlyList<KafkaTopic> topics)
    {
        // a consumer in no group, never subscribed, never committing: its handle serves the admin calls, and it reads
        // each partition's watermarks (as Faults/Kafka/TopicRecords does)
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"chaos-preflight-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            AllowAutoCreateTopics = false,
            SocketTimeoutMs = (int)AnswerTimeout.TotalMilliseconds,
        }).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        Metadata metadata;
        try
        {
            // every topic's metadata, not the ones we name: a request naming a missing topic may create it (docs/embedded-kafka.md)
            metadata = admin.GetMetadata(AnswerTimeout);
        }
        catch (KafkaException e)
        {
            throw new ExistingKafkaException($"the Kafka at {bootstrap} did not answer within {AnswerTimeout.TotalSeconds:0} s ({e.Error.Reason}): is it running, and is that its bootstrap address?", e);
        }

        var missing = new List<KafkaTopic>();
        foreach (var topic in topics)
        {
            var found = metadata.Topics.FirstOrDefault(t => t.Topic == topic.Name && t.Error.Code != ErrorCode.UnknownTopicOrPart);
            if (found is null)
            {
                missing.Add(topic);
                continue;
            }

            if (found.Partitions.Count != topic.Partitions)
            {
                throw new ExistingKafkaException($"topic {topic.Name} on {bootstrap} has {found.Partitions.Count} partition(s); the system expects {topic.Partitions}");
            }

            var records = found.Partitions.Sum(p =>
            {
                var marks = consumer.QueryWatermarkOffsets(new TopicPartition(topic.Name, p.PartitionId), AnswerTimeout);
                return marks.High.Value - marks.Low.Value;
            });
            if (records > 0)
            {
                throw new ExistingKafkaException($"topic {topic.Name} on {bootstrap} already holds {records} record(s): a run needs its topics empty (records of an earlier run would reach this run's devices as messages no one sent) — use a fresh cluster, or delete the system's topics");
            }
        }

        if (missing.Count == 0)
        {
            return;
        }

        var replication = (short)Math.Min(3, Math.Max(1, metadata.Brokers.Count));
        try
        {
            admin.CreateTopicsAsync(
                [.. missing.Select(t => new TopicSpecification { Name = t.Name, NumPartitions = t.Partitions, ReplicationFactor = replication })],
                new CreateTopicsOptions { RequestTimeout = AnswerTimeout, OperationTimeout = AnswerTimeout }).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is KafkaException or CreateTopicsException)
        {
            var wanted = string.Join(", ", missing.Select(t => $"{t.Name} ({t.Partitions} partitions)"));
            throw new ExistingKafkaException($"topic(s) {wanted} do not exist on {bootstrap} and could not be created ({Reason(e)}): create them before the run", e);
        }
    }

    private static string Reason(Exception e) => e switch
    {
        CreateTopicsException c => string.Join("; ", c.Results.Where(r => r.Error.IsError).Select(r => $"{r.Topic}: {r.Error.Reason}")),
        KafkaException k => k.Error.Reason,
        _ => e.Message,
    };
}
