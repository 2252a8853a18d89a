using System.Globalization;
using Chaos.Harness.Kafka;
using Confluent.Kafka;

namespace Chaos.Harness.Faults.Kafka;

/// <summary>
/// Produce requests for one topic are refused for good — TOPIC_AUTHORIZATION_FAILED, what a producer sees when the ACL
/// on that one topic is removed — while every other topic is served as before. The mock has no ACLs, so the topic's
/// partitions move to the cluster's spare broker (<see cref="IKafkaFaults.SpareBrokerAsync"/>, which leads nothing
/// else) and the spare refuses its next <see cref="Count"/> Produce requests. librdkafka fails a refused message at
/// once, whatever <c>message.timeout.ms</c> says, so the producer's own failure path runs. Heal: leadership moves back
/// to the brokers that led before. Proof: <see cref="Refused"/>, the refusals the spare answered (pushed − still
/// pending), counted by the broker, not by any client (docs/faults.md, "Kafka faults").
/// </summary>
public sealed class TopicRefusedFault : IPreparedFault
{
    private readonly IKafkaFaults _kafka;
    private readonly IReadOnlyList<string> _keepCoordinators;
    private readonly List<(int Partition, int Leader)> _moved = [];
    private readonly Lock _gate = new();
    private IReadOnlyList<(int Partition, int Leader)>? _prepared;
    private int _spare;
    private int _pushed;
    private int _refused;
    private int _heals;

    /// <param name="kafka">The cluster's fault channel.</param>
    /// <param name="topic">The topic whose produce requests are refused.</param>
    /// <param name="count">How many produce requests the spare broker refuses (1..100,000).</param>
    /// <param name="keepCoordinators">The system's consumer groups, whose coordinators must not move if the spare broker
    /// is added now (<see cref="IKafkaFaults.SpareBrokerAsync"/>; a deployment that added it at its start needs none).</param>
    public TopicRefusedFault(IKafkaFaults kafka, string topic, int count, IReadOnlyList<string>? keepCoordinators = null)
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, 100_000);
        _kafka = kafka;
        Topic = topic;
        Count = count;
        _keepCoordinators = keepCoordinators ?? [];
    }

    public string Name => "topic-refused";

    public string Target => Topic;

    public string Topic { get; }

    /// <summary>How many produce requests each application refuses.</summary>
    public int Count { get; }

    /// <summary>Produce requests the spare broker refused while the topic led there, over every heal so far.</summary>
    public int Refused => Volatile.Read(ref _refused);

    /// <summary>What the heals found, for the run's evidence; null before the first heal of an application.</summary>
    public string? Outcome { get; private set; }

    /// <summary>
    /// Reads the topic's leaders, so the apply only moves them: the read is a metadata request from a new client, and on
    /// a crowded machine it took a second and more of a one-second window, which then saw no produce request. What a
    /// fault applied later does to the leaders is the heal's to undo, not this read's; a failed read is left to the apply.
    /// </summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        try
        {
            var leaders = await ReadLeadersAsync(cancellationToken);
            lock (_gate)
            {
                _prepared = leaders;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // the apply reads them again, and reports what fails there
        }
    }

    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<(int Partition, int Leader)>? leaders;
        lock (_gate)
        {
            (leaders, _prepared) = (_prepared, null); // a read serves one application
        }

        leaders ??= await ReadLeadersAsync(cancellationToken);
        var spare = await _kafka.SpareBrokerAsync(_keepCoordinators, cancellationToken);
        // errors a heal left pending (nobody produced to the topic after them) are answered first: counted with these
        var pending = await _kafka.PendingBrokerRequestErrorsAsync(spare, KafkaApiKey.Produce, cancellationToken);
        await _kafka.PushBrokerRequestErrorsAsync(
            spare, KafkaApiKey.Produce, [.. RequestErrorsFault.NonRetriable(KafkaApiKey.Produce, Count).Select(e => new MockRequestError(e))], cancellationToken);
        lock (_gate)
        {
            _spare = spare;
            _pushed = pending + Count;
        }

        try
        {
            foreach (var (partition, leader) in leaders.Where(l => l.Leader != spare))
            {
                await _kafka.SetPartitionLeaderAsync(Topic, partition, spare, cancellationToken);
                lock (_gate)
                {
                    _moved.Add((partition, leader));
                }
            }
        }
        catch
        {
            // nothing may be left applied: the partitions already moved go back
            await MoveBackAsync(CancellationToken.None);
            throw;
        }
    }

    public async Task HealAsync(CancellationToken cancellationToken)
    {
        int spare;
        lock (_gate)
        {
            spare = _spare;
        }

        if (spare == 0)
        {
            return;
        }

        await MoveBackAsync(cancellationToken);
        var remaining = await _kafka.PendingBrokerRequestErrorsAsync(spare, KafkaApiKey.Produce, cancellationToken);
        lock (_gate)
        {
            if (_pushed == 0)
            {
                return; // healed already
            }

            var refused = Math.Max(0, _pushed - remaining);
            Interlocked.Add(ref _refused, refused);
            _heals++;
            _pushed = 0;
            Outcome = string.Create(CultureInfo.InvariantCulture, $"the spare broker {spare} refused {Refused} produce requests for {Topic}")
                + (remaining > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({remaining} refusals still pending at the heal)") : "")
                + (_heals > 1 ? string.Create(CultureInfo.InvariantCulture, $" over {_heals} applications") : "");
        }
    }

    private async Task MoveBackAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            (int Partition, int Leader) next;
            lock (_gate)
            {
                if (_moved.Count == 0)
                {
                    return;
                }

                next = _moved[^1];
            }

            await _kafka.SetPartitionLeaderAsync(Topic, next.Partition, next.Leader, cancellationToken);
            lock (_gate)
            {
                _moved.Remove(next);
            }
        }
    }

    private Task<IReadOnlyList<(int Partition, int Leader)>> ReadLeadersAsync(CancellationToken cancellationToken) =>
        Task.Run(() => ReadLeaders(_kafka.BootstrapServers, Topic), cancellationToken).WaitAsync(TimeSpan.FromSeconds(15), cancellationToken);

    /// <summary>Each partition of <paramref name="topic"/> with the broker that leads it, as the cluster's metadata names them.</summary>
    public static IReadOnlyList<(int Partition, int Leader)> ReadLeaders(string bootstrapServers, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers, AllowAutoCreateTopics = false }).Build();
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(10));
        var partitions = metadata.Topics.SingleOrDefault(t => t.Topic == topic && t.Error.Code == ErrorCode.NoError)?.Partitions;
        if (partitions is null or { Count: 0 })
        {
            throw new ArgumentException($"topic {topic} does not exist", nameof(topic));
        }

        return [.. partitions.OrderBy(p => p.PartitionId).Select(p => p.Leader > 0
            ? (p.PartitionId, p.Leader)
            : throw new InvalidOperationException($"partition {topic}/{p.PartitionId} has no leader"))];
    }
}
