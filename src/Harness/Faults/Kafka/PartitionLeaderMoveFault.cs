using Chaos.Harness.Kafka;
using Confluent.Kafka;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>
/// A partition's leadership moves to another broker (the mock bumps the leader epoch): producers and consumers of it get
/// NOT_LEADER_OR_FOLLOWER, refresh metadata and follow. Heal: leadership moves back to the broker that led before.
/// The leader is read before the window (<see cref="IPreparedFault"/>, as topic-refused does), so the window is the move.
/// </summary>
public sealed class PartitionLeaderMoveFault : IPreparedFault
{
    private readonly IKafkaFaults _kafka;
    private readonly int? _to;
    private readonly Lock _gate = new();
    private int? _previous;
    private int? _prepared;

    /// <param name="kafka">The cluster's fault channel.</param>
    /// <param name="topic">The topic.</param>
    /// <param name="partition">The partition.</param>
    /// <param name="toBroker">Where leadership goes; null: the broker after the current leader.</param>
    public PartitionLeaderMoveFault(IKafkaFaults kafka, string topic, int partition, int? toBroker = null)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        if (toBroker is { } b)
        {
            BrokerIds.Validate(kafka, b, allowAll: false, nameof(toBroker));
        }

        _kafka = kafka;
        Topic = topic;
        Partition = partition;
        _to = toBroker;
    }

    public string Name => "leader-move";

    public string Target => $"{Topic}/{Partition}";

    public string Topic { get; }

    public int Partition { get; }

    /// <summary>The broker that led the partition before the move (known once applied).</summary>
    public int? PreviousLeader => _previous;

    /// <summary>The broker that leads it after the move (known once applied).</summary>
    public int? NewLeader { get; private set; }

    /// <summary>
    /// Reads the partition's leader, so the apply only moves it: the read is a metadata request from a new client, which
    /// on a crowded machine (or with a broker of the cluster down) took seconds of the fault's window. A leader moved
    /// between this read and the apply by another fault is moved to the broker after the one read here; a failed read is
    /// left to the apply.
    /// </summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        try
        {
            var leader = await ReadLeaderAsync(cancellationToken);
            lock (_gate)
            {
                _prepared = leader;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // the apply reads it again, and reports what fails there
        }
    }

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        int? prepared;
        lock (_gate)
        {
            (prepared, _prepared) = (_prepared, null); // a read serves one application
        }

        var current = prepared ?? await ReadLeaderAsync(cancellationToken);
        var to = _to ?? (current % _kafka.BrokerCount) + 1;
        await _kafka.SetPartitionLeaderAsync(Topic, Partition, to, cancellationToken);
        _previous = current;
        NewLeader = to;
    }

    public async Task HealAsync(CancellationToken cancellationToken)
    {
        if (_previous is { } previous && previous != NewLeader)
        {
            await _kafka.SetPartitionLeaderAsync(Topic, Partition, previous, cancellationToken);
            NewLeader = previous;
        }
    }

    private Task<int> ReadLeaderAsync(CancellationToken cancellationToken) =>
        Task.Run(() => ReadLeader(_kafka.BootstrapServers, Topic, Partition), cancellationToken).WaitAsync(TimeSpan.FromSeconds(15), cancellationToken);

    /// <summary>The partition's leader as the cluster's metadata names it.</summary>
    public static int ReadLeader(string bootstrapServers, string topic, int partition)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers, AllowAutoCreateTopics = false }).Build();
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        var p = metadata.Topics.SingleOrDefault(t => t.Topic == topic)?.Partitions.SingleOrDefault(x => x.PartitionId == partition)
            ?? throw new ArgumentException($"partition {topic}/{partition} does not exist", nameof(partition));
        return p.Leader > 0 ? p.Leader : throw new InvalidOperationException($"partition {topic}/{partition} has no leader");
    }
}
