using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;

namespace Chaos.Harness.Kafka;

/// <summary>
/// An in-process Kafka cluster: librdkafka's mock brokers listening on 127.0.0.1. Any Kafka client
/// in any process can use <see cref="BootstrapServers"/>. Every method validates its arguments
/// before calling into librdkafka, because the mock asserts (aborts the process) on several bad
/// inputs; prefer hosting it in its own process (<c>chaos kafka</c>, <see cref="EmbeddedKafkaHost"/>).
/// Thread-safe. Dispose destroys the cluster, then the librdkafka handle that owns it.
/// </summary>
public sealed class MockCluster : IKafkaFaults, IAsyncDisposable, IDisposable
{
    /// <summary>Broker id meaning "every broker" for down/up/rtt.</summary>
    public const int AllBrokers = -1;

    /// <summary>Broker id meaning "no leader" for <see cref="SetPartitionLeader"/>.</summary>
    public const int NoLeader = -1;

    /// <summary>Most brokers one cluster may have (each is a listener on the mock's single thread).</summary>
    public const int MaxBrokers = 32;

    private readonly Lock gate = new();
    private readonly Dictionary<string, int> topics = new(StringComparer.Ordinal);
    private readonly HashSet<KafkaApiKey> pushedErrors = [];
    private readonly HashSet<string> pinnedGroups = new(StringComparer.Ordinal);
    private nint rk;
    private nint cluster;
    private int spareBroker;

    private MockCluster(nint rk, nint cluster, int brokerCount, string bootstrapServers)
    {
        this.rk = rk;
        this.cluster = cluster;
        BrokerCount = brokerCount;
        BootstrapServers = bootstrapServers;
    }

    /// <inheritdoc />
    public string BootstrapServers { get; }

    /// <inheritdoc />
    public int BrokerCount { get; }

    /// <summary>Creates a cluster of <paramref name="brokers"/> brokers with ids 1..brokers.</summary>
    public static unsafe MockCluster Create(int brokers)
    {
        if (brokers is < 1 or > MaxBrokers)
        {
            throw new ArgumentOutOfRangeException(nameof(brokers), brokers, $"A mock cluster has 1..{MaxBrokers} brokers.");
        }

        RdKafkaLibrary.EnsureLoaded();
        const int errorSize = 512;
        var error = stackalloc byte[errorSize];
        var conf = RdKafkaNative.ConfNew();

        // The owning handle never connects anywhere; it only hosts the mock's thread. Without
        // bootstrap.servers librdkafka logs a notice on every start; warnings and errors still show.
        if (RdKafkaNative.ConfSet(conf, "client.id", "chaos-mock-cluster", error, errorSize) != 0
            || RdKafkaNative.ConfSet(conf, "log_level", "4", error, errorSize) != 0)
        {
            RdKafkaNative.ConfDestroy(conf);
            throw new KafkaMockException($"librdkafka refused its configuration: {Marshal.PtrToStringUTF8((nint)error)}");
        }

        var rk = RdKafkaNative.New(RdKafkaNative.ProducerType, conf, error, errorSize);
        if (rk == 0)
        {
            // rd_kafka_new frees the configuration only when it succeeds.
            RdKafkaNative.ConfDestroy(conf);
            throw new KafkaMockException($"librdkafka could not create the cluster's owner handle: {Marshal.PtrToStringUTF8((nint)error)}");
        }

        var cluster = RdKafkaNative.MockClusterNew(rk, brokers);
        if (cluster == 0)
        {
            RdKafkaNative.Destroy(rk);
            throw new KafkaMockException($"librdkafka could not create a mock cluster of {brokers} brokers.");
        }

        var bootstraps = Marshal.PtrToStringUTF8(RdKafkaNative.MockClusterBootstraps(cluster)) ?? string.Empty;
        return new MockCluster(rk, cluster, brokers, bootstraps);
    }

    /// <summary>Creates a topic; <paramref name="replicationFactor"/> is 1..<see cref="BrokerCount"/>.</summary>
    public void CreateTopic(string topic, int partitions, int replicationFactor)
    {
        KafkaArguments.ValidateTopicName(topic, nameof(topic));
        if (partitions < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(partitions), partitions, "A topic has at least one partition.");
        }

        if (replicationFactor < 1 || replicationFactor > BrokerCount)
        {
            throw new ArgumentOutOfRangeException(nameof(replicationFactor), replicationFactor, $"The replication factor must be 1..{BrokerCount} (the number of brokers).");
        }

        lock (gate)
        {
            var mc = Live();
            if (topics.ContainsKey(topic))
            {
                throw new ArgumentException($"Topic '{topic}' already exists.", nameof(topic));
            }

            Check(RdKafkaNative.MockTopicCreate(mc, topic, partitions, replicationFactor), $"create topic '{topic}'");
            topics.Add(topic, partitions);
        }
    }

    /// <summary>Closes the broker's connections and stops it listening; <see cref="AllBrokers"/> for all.</summary>
    public void SetBrokerDown(int brokerId)
    {
        ValidateBroker(brokerId, nameof(brokerId), allowAll: true);
        lock (gate)
        {
            Check(RdKafkaNative.MockBrokerSetDown(Live(), brokerId), $"set broker {brokerId} down");
        }
    }

    /// <summary>Lets the broker accept connections again; <see cref="AllBrokers"/> for all.</summary>
    public void SetBrokerUp(int brokerId)
    {
        ValidateBroker(brokerId, nameof(brokerId), allowAll: true);
        lock (gate)
        {
            Check(RdKafkaNative.MockBrokerSetUp(Live(), brokerId), $"set broker {brokerId} up");
        }
    }

    /// <summary>Delays every answer of the broker by <paramref name="rttMs"/>; 0 heals.</summary>
    public void SetRtt(int brokerId, int rttMs)
    {
        ValidateBroker(brokerId, nameof(brokerId), allowAll: true);
        KafkaArguments.ValidateMilliseconds(rttMs, nameof(rttMs));
        lock (gate)
        {
            Check(RdKafkaNative.MockBrokerSetRtt(Live(), brokerId, rttMs), $"set the rtt of broker {brokerId}");
        }
    }

    /// <summary>The next requests of <paramref name="apiKey"/> to any broker fail with <paramref name="errors"/>, in order.</summary>
    public unsafe void PushRequestErrors(KafkaApiKey apiKey, IReadOnlyList<KafkaErrorCode> errors)
    {
        KafkaArguments.ValidateApiKey(apiKey, nameof(apiKey));
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("Push at least one error.", nameof(errors));
        }

        var codes = new int[errors.Count];
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = (int)errors[i];
        }

        lock (gate)
        {
            var mc = Live();
            fixed (int* p = codes)
            {
                RdKafkaNative.MockPushRequestErrorsArray(mc, (short)apiKey, (nuint)codes.Length, p);
            }

            pushedErrors.Add(apiKey);
        }
    }

    /// <summary>The next requests of <paramref name="apiKey"/> to one broker get these answers (error and delay), in order.</summary>
    public void PushBrokerRequestErrors(int brokerId, KafkaApiKey apiKey, IReadOnlyList<MockRequestError> errors)
    {
        ValidateBroker(brokerId, nameof(brokerId), allowAll: false);
        KafkaArguments.ValidateApiKey(apiKey, nameof(apiKey));
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("Push at least one error.", nameof(errors));
        }

        foreach (var e in errors)
        {
            KafkaArguments.ValidateMilliseconds(e.RttMs, nameof(errors));
        }

        if (!RdKafkaNative.VariadicRegisterCallsSupported)
        {
            throw new PlatformNotSupportedException("Per-broker request errors call a variadic C function that Apple arm64 passes differently.");
        }

        lock (gate)
        {
            var mc = Live();

            // One pair per call: the broker's error stack appends, so N calls equal one call of N.
            foreach (var e in errors)
            {
                Check(RdKafkaNative.MockBrokerPushOneRequestErrorRtt(mc, brokerId, (short)apiKey, 1, (int)e.Error, e.RttMs), $"push a request error onto broker {brokerId}");
            }
        }
    }

    /// <summary>
    /// The cluster's spare broker: added on the first call with the id after the last bootstrap broker
    /// (<see cref="BrokerCount"/> + 1), outside <see cref="BootstrapServers"/> and leading no partition until one is
    /// moved to it; every later call returns the same id. A fault meant for one topic's clients alone moves that topic's
    /// leadership there and pushes errors onto it (docs/embedded-kafka.md, "The spare broker"). Adding a broker changes
    /// the mock's cluster in two ways this undoes: it spreads existing partitions' leadership over the new broker (each
    /// moved partition goes straight back: one leader-epoch bump), and it hashes group ids over one more broker, so a
    /// group's coordinator would move: the coordinators of <paramref name="keepCoordinators"/> are pinned first to the
    /// broker that coordinates them now. Call it before clients connect (the reference deployment does, at its start).
    /// </summary>
    /// <param name="keepCoordinators">Consumer groups whose coordinator must not move; ignored after the first call.</param>
    public int SpareBroker(IReadOnlyList<string>? keepCoordinators = null)
    {
        lock (gate)
        {
            var mc = Live();
            if (spareBroker != 0)
            {
                return spareBroker;
            }

            var groups = (keepCoordinators ?? []).Distinct(StringComparer.Ordinal).ToList();
            if (groups.Any(string.IsNullOrWhiteSpace))
            {
                // checked before anything is pinned: a refused call changes nothing
                throw new ArgumentException("A group whose coordinator is kept must be named.", nameof(keepCoordinators));
            }

            foreach (var group in groups.Where(g => !pinnedGroups.Contains(g)))
            {
                var coordinator = HashedCoordinator(group, BrokerCount);
                Check(RdKafkaNative.MockCoordinatorSet(mc, "group", group, coordinator), $"keep group {group}'s coordinator on broker {coordinator}");
                pinnedGroups.Add(group);
            }

            var before = Leaders();
            Check(RdKafkaNative.MockBrokerAdd(mc, BrokerCount + 1), $"add the spare broker {BrokerCount + 1}");
            spareBroker = BrokerCount + 1;
            foreach (var ((topic, partition), leader) in Leaders())
            {
                if (before.TryGetValue((topic, partition), out var was) && was != leader)
                {
                    Check(RdKafkaNative.MockPartitionSetLeader(mc, topic, partition, was), $"move {topic}[{partition}] back to broker {was}");
                }
            }

            return spareBroker;
        }
    }

    /// <summary>
    /// The broker the mock makes coordinator of <paramref name="group"/> when none was set for it: the CRC-32 of the id
    /// modulo the broker count, as an index into its broker list (brokers 1..N in order; <c>rd_kafka_mock_cluster_get_coord</c>).
    /// </summary>
    internal static int HashedCoordinator(string group, int brokers) =>
        (int)(Crc32.HashToUInt32(Encoding.UTF8.GetBytes(group)) % (uint)brokers) + 1;

    /// <summary>The leader of every partition of the topics created here, as the cluster's metadata names it.</summary>
    private Dictionary<(string Topic, int Partition), int> Leaders()
    {
        var leaders = new Dictionary<(string Topic, int Partition), int>();
        if (topics.Count == 0)
        {
            return leaders;
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers, AllowAutoCreateTopics = false }).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        foreach (var topic in metadata.Topics.Where(t => topics.ContainsKey(t.Topic)))
        {
            foreach (var partition in topic.Partitions)
            {
                leaders[(topic.Topic, partition.PartitionId)] = partition.Leader;
            }
        }

        return leaders;
    }

    /// <summary>How many answers pushed onto one broker (<see cref="PushBrokerRequestErrors"/>) for <paramref name="apiKey"/> are still pending.</summary>
    public unsafe int PendingBrokerRequestErrors(int brokerId, KafkaApiKey apiKey)
    {
        ValidateBroker(brokerId, nameof(brokerId), allowAll: false);
        KafkaArguments.ValidateApiKey(apiKey, nameof(apiKey));
        lock (gate)
        {
            nuint count = 0;
            Check(RdKafkaNative.MockBrokerErrorStackCount(Live(), brokerId, (short)apiKey, &count), $"count the errors pending on broker {brokerId}");
            return (int)count;
        }
    }

    /// <summary>
    /// True from a <see cref="PushRequestErrors"/> until the <see cref="ClearRequestErrors"/> of its API key: cluster-wide
    /// errors may still be pending, and any client's request (the harness's own too) would consume them.
    /// </summary>
    public bool RequestErrorsMayBePending
    {
        get
        {
            lock (gate)
            {
                return pushedErrors.Count > 0;
            }
        }
    }

    /// <summary>Drops the cluster-wide errors still pending for <paramref name="apiKey"/>.</summary>
    public void ClearRequestErrors(KafkaApiKey apiKey)
    {
        KafkaArguments.ValidateApiKey(apiKey, nameof(apiKey));
        lock (gate)
        {
            RdKafkaNative.MockClearRequestErrors(Live(), (short)apiKey);
            pushedErrors.Remove(apiKey);
        }
    }

    /// <summary>Moves a partition's leadership (of a topic created here) to a broker, or <see cref="NoLeader"/>.</summary>
    public void SetPartitionLeader(string topic, int partition, int brokerId)
    {
        KafkaArguments.ValidateTopicName(topic, nameof(topic));
        if (brokerId != NoLeader)
        {
            ValidateBroker(brokerId, nameof(brokerId), allowAll: false);
        }

        lock (gate)
        {
            var mc = Live();
            if (!topics.TryGetValue(topic, out var partitions))
            {
                throw new ArgumentException($"Unknown topic '{topic}': create it first (librdkafka would silently create it with default partitions).", nameof(topic));
            }

            if (partition < 0 || partition >= partitions)
            {
                throw new ArgumentOutOfRangeException(nameof(partition), partition, $"Topic '{topic}' has partitions 0..{partitions - 1}.");
            }

            Check(RdKafkaNative.MockPartitionSetLeader(mc, topic, partition, brokerId), $"set the leader of {topic}[{partition}]");
        }
    }

    /// <summary>
    /// Deletes the records of a partition before <paramref name="beforeOffset"/> and moves its log start there, as
    /// Kafka's retention or DeleteRecords would; consumers positioned before it see OFFSET_OUT_OF_RANGE.
    /// An offset beyond the high watermark is refused by the mock (KafkaMockException, OFFSET_OUT_OF_RANGE).
    /// </summary>
    public void DeleteRecords(string topic, int partition, long beforeOffset)
    {
        KafkaArguments.ValidateTopicName(topic, nameof(topic));
        ArgumentOutOfRangeException.ThrowIfNegative(beforeOffset);
        lock (gate)
        {
            var mc = Live();
            if (!topics.TryGetValue(topic, out var partitions))
            {
                throw new ArgumentException($"Unknown topic '{topic}': create it first.", nameof(topic));
            }

            if (partition < 0 || partition >= partitions)
            {
                throw new ArgumentOutOfRangeException(nameof(partition), partition, $"Topic '{topic}' has partitions 0..{partitions - 1}.");
            }

            Check(RdKafkaNative.MockPartitionDeleteRecords(mc, topic, partition, beforeOffset), $"delete the records of {topic}[{partition}] before {beforeOffset}");
        }
    }

    /// <summary>Moves the coordinator of a group or transactional id to an existing broker.</summary>
    public void SetCoordinator(KafkaCoordinatorType type, string key, int brokerId)
    {
        var keyType = type switch
        {
            KafkaCoordinatorType.Group => "group",
            KafkaCoordinatorType.Transaction => "transaction",
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "The coordinator type is group or transaction."),
        };
        if (string.IsNullOrEmpty(key))
        {
            throw new ArgumentException("The coordinator key (group.id or transactional.id) must not be empty.", nameof(key));
        }

        // The mock accepts any id here and fails later on the mock's own thread.
        ValidateBroker(brokerId, nameof(brokerId), allowAll: false);
        lock (gate)
        {
            Check(RdKafkaNative.MockCoordinatorSet(Live(), keyType, key, brokerId), $"set the {keyType} coordinator of '{key}'");
            if (type == KafkaCoordinatorType.Group)
            {
                pinnedGroups.Add(key); // set explicitly: a spare broker added later leaves it where it was put
            }
        }
    }

    /// <summary>group.initial.rebalance.delay.ms for classic groups (librdkafka default 3000).</summary>
    public void SetGroupInitialRebalanceDelay(int delayMs)
    {
        KafkaArguments.ValidateMilliseconds(delayMs, nameof(delayMs));
        lock (gate)
        {
            RdKafkaNative.MockGroupInitialRebalanceDelayMs(Live(), delayMs);
        }
    }

    /// <summary>group.consumer.session.timeout.ms for KIP-848 groups.</summary>
    public void SetGroupConsumerSessionTimeout(int timeoutMs)
    {
        KafkaArguments.ValidateMilliseconds(timeoutMs, nameof(timeoutMs));
        if (timeoutMs == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(timeoutMs), timeoutMs, "A session timeout must be positive.");
        }

        lock (gate)
        {
            RdKafkaNative.MockSetGroupConsumerSessionTimeoutMs(Live(), timeoutMs);
        }
    }

    /// <summary>group.consumer.heartbeat.interval.ms for KIP-848 groups.</summary>
    public void SetGroupConsumerHeartbeatInterval(int intervalMs)
    {
        KafkaArguments.ValidateMilliseconds(intervalMs, nameof(intervalMs));
        if (intervalMs == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(intervalMs), intervalMs, "A heartbeat interval must be positive.");
        }

        lock (gate)
        {
            RdKafkaNative.MockSetGroupConsumerHeartbeatIntervalMs(Live(), intervalMs);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (gate)
        {
            if (cluster == 0)
            {
                return;
            }

            // Order matters: destroying the owning handle first aborts the process.
            RdKafkaNative.MockClusterDestroy(cluster);
            cluster = 0;
            RdKafkaNative.Destroy(rk);
            rk = 0;
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    ValueTask IKafkaFaults.CreateTopicAsync(string topic, int partitions, int replicationFactor, CancellationToken cancellationToken) =>
        Run(() => CreateTopic(topic, partitions, replicationFactor));

    ValueTask IKafkaFaults.SetBrokerDownAsync(int brokerId, CancellationToken cancellationToken) => Run(() => SetBrokerDown(brokerId));

    ValueTask IKafkaFaults.SetBrokerUpAsync(int brokerId, CancellationToken cancellationToken) => Run(() => SetBrokerUp(brokerId));

    ValueTask IKafkaFaults.SetRttAsync(int brokerId, int rttMs, CancellationToken cancellationToken) => Run(() => SetRtt(brokerId, rttMs));

    ValueTask IKafkaFaults.PushRequestErrorsAsync(KafkaApiKey apiKey, IReadOnlyList<KafkaErrorCode> errors, CancellationToken cancellationToken) =>
        Run(() => PushRequestErrors(apiKey, errors));

    ValueTask IKafkaFaults.PushBrokerRequestErrorsAsync(int brokerId, KafkaApiKey apiKey, IReadOnlyList<MockRequestError> errors, CancellationToken cancellationToken) =>
        Run(() => PushBrokerRequestErrors(brokerId, apiKey, errors));

    ValueTask IKafkaFaults.ClearRequestErrorsAsync(KafkaApiKey apiKey, CancellationToken cancellationToken) => Run(() => ClearRequestErrors(apiKey));

    ValueTask IKafkaFaults.SetPartitionLeaderAsync(string topic, int partition, int brokerId, CancellationToken cancellationToken) =>
        Run(() => SetPartitionLeader(topic, partition, brokerId));

    ValueTask<int> IKafkaFaults.SpareBrokerAsync(IReadOnlyList<string> keepCoordinators, CancellationToken cancellationToken) => Run(() => SpareBroker(keepCoordinators));

    ValueTask<int> IKafkaFaults.PendingBrokerRequestErrorsAsync(int brokerId, KafkaApiKey apiKey, CancellationToken cancellationToken) =>
        Run(() => PendingBrokerRequestErrors(brokerId, apiKey));

    ValueTask IKafkaFaults.SetCoordinatorAsync(KafkaCoordinatorType type, string key, int brokerId, CancellationToken cancellationToken) =>
        Run(() => SetCoordinator(type, key, brokerId));

    ValueTask IKafkaFaults.SetGroupInitialRebalanceDelayAsync(int delayMs, CancellationToken cancellationToken) => Run(() => SetGroupInitialRebalanceDelay(delayMs));

    ValueTask IKafkaFaults.SetGroupConsumerSessionTimeoutAsync(int timeoutMs, CancellationToken cancellationToken) => Run(() => SetGroupConsumerSessionTimeout(timeoutMs));

    ValueTask IKafkaFaults.SetGroupConsumerHeartbeatIntervalAsync(int intervalMs, CancellationToken cancellationToken) =>
        Run(() => SetGroupConsumerHeartbeatInterval(intervalMs));

    private static ValueTask Run(Action action)
    {
        try
        {
            action();
            return ValueTask.CompletedTask;
        }
        catch (Exception e) when (e is ArgumentException or KafkaMockException or ObjectDisposedException or PlatformNotSupportedException)
        {
            return ValueTask.FromException(e);
        }
    }

    private static ValueTask<T> Run<T>(Func<T> call)
    {
        try
        {
            return ValueTask.FromResult(call());
        }
        catch (Exception e) when (e is ArgumentException or KafkaMockException or ObjectDisposedException or PlatformNotSupportedException)
        {
            return ValueTask.FromException<T>(e);
        }
    }

    private static void Check(int err, string what)
    {
        if (err != 0)
        {
            throw new KafkaMockException($"The mock cluster refused to {what}: {RdKafkaNative.DescribeError(err)}", (KafkaErrorCode)err);
        }
    }

    private void ValidateBroker(int brokerId, string paramName, bool allowAll)
    {
        if (allowAll && brokerId == AllBrokers)
        {
            return;
        }

        var spare = Volatile.Read(ref spareBroker);
        if ((brokerId < 1 || brokerId > BrokerCount) && (spare == 0 || brokerId != spare))
        {
            var range = (allowAll ? $"1..{BrokerCount}, or {AllBrokers} for all" : $"1..{BrokerCount}") + (spare == 0 ? "" : $" (and the spare broker {spare})");
            throw new ArgumentOutOfRangeException(paramName, brokerId, $"Unknown broker id {brokerId}; this cluster's brokers are {range}.");
        }
    }

    private nint Live()
    {
        ObjectDisposedException.ThrowIf(cluster == 0, this);
        return cluster;
    }
}
