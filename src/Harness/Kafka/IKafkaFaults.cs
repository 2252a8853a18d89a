namespace Chaos.Harness.Kafka;

/// <summary>
/// The embedded Kafka cluster's topics and faults. Implemented in-process by <see cref="MockCluster"/>
/// and across processes by <see cref="EmbeddedKafkaHost"/> (through the control channel of
/// <c>chaos kafka</c>), so a fault reads the same in both. Bad arguments throw
/// <see cref="ArgumentException"/> naming the argument; refusals of the mock throw
/// <see cref="KafkaMockException"/>.
/// </summary>
public interface IKafkaFaults
{
    /// <summary>Comma-separated <c>host:port</c> of every broker, for <c>bootstrap.servers</c>.</summary>
    string BootstrapServers { get; }

    /// <summary>Number of brokers; their ids are 1..BrokerCount.</summary>
    int BrokerCount { get; }

    /// <summary>Creates a topic (the mock does not serve CreateTopics to clients).</summary>
    ValueTask CreateTopicAsync(string topic, int partitions, int replicationFactor, CancellationToken cancellationToken = default);

    /// <summary>Closes the broker's connections and stops it listening (its port is kept); leadership does not move.</summary>
    /// <param name="brokerId">A broker id, or <see cref="MockCluster.AllBrokers"/>.</param>
    /// <param name="cancellationToken">Cancels waiting for the answer.</param>
    ValueTask SetBrokerDownAsync(int brokerId, CancellationToken cancellationToken = default);

    /// <summary>Lets a broker that was set down accept connections again.</summary>
    ValueTask SetBrokerUpAsync(int brokerId, CancellationToken cancellationToken = default);

    /// <summary>Delays every answer of the broker (or of all brokers) by <paramref name="rttMs"/>; 0 heals.</summary>
    ValueTask SetRttAsync(int brokerId, int rttMs, CancellationToken cancellationToken = default);

    /// <summary>The next <c>errors.Count</c> requests of <paramref name="apiKey"/> to any broker fail with these errors, in order.</summary>
    ValueTask PushRequestErrorsAsync(KafkaApiKey apiKey, IReadOnlyList<KafkaErrorCode> errors, CancellationToken cancellationToken = default);

    /// <summary>The next requests of <paramref name="apiKey"/> to one broker get these answers, in order; broker errors take precedence over cluster ones.</summary>
    ValueTask PushBrokerRequestErrorsAsync(int brokerId, KafkaApiKey apiKey, IReadOnlyList<MockRequestError> errors, CancellationToken cancellationToken = default);

    /// <summary>Drops the cluster-wide errors still pending for <paramref name="apiKey"/> (not the per-broker ones).</summary>
    ValueTask ClearRequestErrorsAsync(KafkaApiKey apiKey, CancellationToken cancellationToken = default);

    /// <summary>Moves a partition's leadership to a broker, or makes it leaderless with <see cref="MockCluster.NoLeader"/>; bumps the leader epoch.</summary>
    ValueTask SetPartitionLeaderAsync(string topic, int partition, int brokerId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The cluster's spare broker (id <see cref="BrokerCount"/> + 1): added on the first call, outside
    /// <see cref="BootstrapServers"/> and leading nothing until a partition is moved to it, the coordinators of
    /// <paramref name="keepCoordinators"/> kept where they were; the same id after (<see cref="MockCluster.SpareBroker"/>).
    /// </summary>
    ValueTask<int> SpareBrokerAsync(IReadOnlyList<string> keepCoordinators, CancellationToken cancellationToken = default);

    /// <summary>How many answers pushed onto one broker for <paramref name="apiKey"/> are still pending (not yet answered to a request).</summary>
    ValueTask<int> PendingBrokerRequestErrorsAsync(int brokerId, KafkaApiKey apiKey, CancellationToken cancellationToken = default);

    /// <summary>Moves the group or transaction coordinator of <paramref name="key"/> to a broker.</summary>
    ValueTask SetCoordinatorAsync(KafkaCoordinatorType type, string key, int brokerId, CancellationToken cancellationToken = default);

    /// <summary>group.initial.rebalance.delay.ms of the classic group protocol (librdkafka's default: 3000).</summary>
    ValueTask SetGroupInitialRebalanceDelayAsync(int delayMs, CancellationToken cancellationToken = default);

    /// <summary>group.consumer.session.timeout.ms of KIP-848 (group.protocol=consumer) groups.</summary>
    ValueTask SetGroupConsumerSessionTimeoutAsync(int timeoutMs, CancellationToken cancellationToken = default);

    /// <summary>group.consumer.heartbeat.interval.ms of KIP-848 (group.protocol=consumer) groups.</summary>
    ValueTask SetGroupConsumerHeartbeatIntervalAsync(int intervalMs, CancellationToken cancellationToken = default);
}
