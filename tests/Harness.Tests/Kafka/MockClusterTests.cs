using Chaos.Harness.Kafka;
using Confluent.Kafka;

namespace Chaos.Harness.Tests.Kafka;

public sealed class MockClusterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(MockCluster.MaxBrokers + 1)]
    public void Create_BrokerCountOutOfRange_ThrowsNamingBrokers(int brokers)
    {
        var create = () => MockCluster.Create(brokers);

        create.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("brokers");
    }

    [Fact]
    public async Task Create_ThreeBrokers_ServesThreeLoopbackBootstrapServers()
    {
        await using var cluster = MockCluster.Create(3);

        cluster.BrokerCount.Should().Be(3);
        cluster.BootstrapServers.Split(',').Should().HaveCount(3).And.OnlyContain(s => s.StartsWith("127.0.0.1:", StringComparison.Ordinal));
        RdKafkaLibrary.LoadedPath.Should().Contain("librdkafka");
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a b")]
    [InlineData("tópico")]
    public async Task CreateTopic_InvalidName_ThrowsNamingTopic(string topic)
    {
        await using var cluster = MockCluster.Create(1);

        var create = () => cluster.CreateTopic(topic, 1, 1);

        create.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("topic");
    }

    [Fact]
    public async Task CreateTopic_NameOfMaximumLength_IsAcceptedAndOneLonger_IsRefused()
    {
        await using var cluster = MockCluster.Create(1);

        cluster.CreateTopic(new string('a', KafkaArguments.MaxTopicNameLength), 1, 1);
        var tooLong = () => cluster.CreateTopic(new string('b', KafkaArguments.MaxTopicNameLength + 1), 1, 1);

        tooLong.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("topic");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public async Task CreateTopic_NoPartitions_ThrowsNamingPartitions(int partitions)
    {
        await using var cluster = MockCluster.Create(1);

        var create = () => cluster.CreateTopic("t", partitions, 1);

        create.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("partitions");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task CreateTopic_ReplicationOutsideBrokerCount_ThrowsNamingReplicationFactor(int replication)
    {
        await using var cluster = MockCluster.Create(2);

        var create = () => cluster.CreateTopic("t", 1, replication);

        create.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("replicationFactor");
    }

    [Fact]
    public async Task CreateTopic_Twice_ThrowsNamingTopic()
    {
        await using var cluster = MockCluster.Create(1);
        cluster.CreateTopic("t", 1, 1);

        var again = () => cluster.CreateTopic("t", 2, 1);

        again.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("topic");
    }

    [Fact]
    public async Task FaultCalls_UnknownBrokerOrBadArgument_ThrowNamingTheArgument_AndTheClusterStillServes()
    {
        await using var cluster = MockCluster.Create(2);
        cluster.CreateTopic("t", 2, 1);

        var refusals = new (Action Call, string Argument)[]
        {
            (() => cluster.SetBrokerDown(3), "brokerId"),
            (() => cluster.SetBrokerUp(0), "brokerId"),
            (() => cluster.SetRtt(7, 10), "brokerId"),
            (() => cluster.SetRtt(1, -1), "rttMs"),
            (() => cluster.PushBrokerRequestErrors(3, KafkaApiKey.Produce, [new(KafkaErrorCode.RequestTimedOut)]), "brokerId"),
            (() => cluster.PushBrokerRequestErrors(MockCluster.AllBrokers, KafkaApiKey.Produce, [new(KafkaErrorCode.RequestTimedOut)]), "brokerId"),
            (() => cluster.PushBrokerRequestErrors(1, KafkaApiKey.Produce, [new(KafkaErrorCode.NoError, -5)]), "errors"),
            (() => cluster.PushRequestErrors(KafkaApiKey.Produce, []), "errors"),
            (() => cluster.PushRequestErrors((KafkaApiKey)999, [KafkaErrorCode.RequestTimedOut]), "apiKey"),
            (() => cluster.SetCoordinator(KafkaCoordinatorType.Group, "g", 5), "brokerId"),
            (() => cluster.SetCoordinator(KafkaCoordinatorType.Group, "", 1), "key"),
            (() => cluster.SetPartitionLeader("t", 2, 1), "partition"),
            (() => cluster.SetPartitionLeader("t", -1, 1), "partition"),
            (() => cluster.SetPartitionLeader("unknown", 0, 1), "topic"),
            (() => cluster.SetPartitionLeader("t", 0, 9), "brokerId"),
            (() => cluster.SetGroupInitialRebalanceDelay(-1), "delayMs"),
            (() => cluster.SetGroupConsumerSessionTimeout(0), "timeoutMs"),
            (() => cluster.SetGroupConsumerHeartbeatInterval(-10), "intervalMs"),
        };

        foreach (var (call, argument) in refusals)
        {
            call.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(argument);
        }

        await ProduceAndConsumeOneAsync(cluster.BootstrapServers, "t");
    }

    [Fact]
    public async Task FaultCalls_ValidArguments_AreAccepted()
    {
        await using var cluster = MockCluster.Create(3);
        cluster.CreateTopic("t", 3, 3);

        cluster.SetBrokerDown(2);
        cluster.SetBrokerUp(2);
        cluster.SetBrokerDown(MockCluster.AllBrokers);
        cluster.SetBrokerUp(MockCluster.AllBrokers);
        cluster.SetRtt(MockCluster.AllBrokers, 0);
        cluster.SetPartitionLeader("t", 0, 3);
        cluster.SetPartitionLeader("t", 1, MockCluster.NoLeader);
        cluster.SetPartitionLeader("t", 1, 1);
        cluster.SetCoordinator(KafkaCoordinatorType.Group, "g", 2);
        cluster.SetCoordinator(KafkaCoordinatorType.Transaction, "tx", 3);
        cluster.PushRequestErrors(KafkaApiKey.Heartbeat, [KafkaErrorCode.RebalanceInProgress]);
        cluster.ClearRequestErrors(KafkaApiKey.Heartbeat);
        cluster.PushBrokerRequestErrors(1, KafkaApiKey.Metadata, [new(KafkaErrorCode.NoError, 1)]);
        cluster.SetGroupInitialRebalanceDelay(0);
        cluster.SetGroupConsumerSessionTimeout(3000);
        cluster.SetGroupConsumerHeartbeatInterval(500);

        await ProduceAndConsumeOneAsync(cluster.BootstrapServers, "t");
    }

    [Fact]
    public async Task Dispose_Twice_IsHarmless_AndLaterCallsThrowObjectDisposed()
    {
        var cluster = MockCluster.Create(1);
        await cluster.DisposeAsync();
        await cluster.DisposeAsync();

        var call = () => cluster.SetBrokerDown(1);

        call.Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public async Task PushRequestErrors_RebalanceInProgressOnOffsetCommit_ReachesTheCommitAsThatError()
    {
        await using var cluster = MockCluster.Create(1);
        cluster.CreateTopic("t", 1, 1);
        await ProduceAndConsumeOneAsync(cluster.BootstrapServers, "t");
        using var consumer = new ConsumerBuilder<string, string>(ConsumerConfig(cluster.BootstrapServers, "g-commit")).Build();
        var offsets = new[] { new TopicPartitionOffset("t", 0, 1) };

        cluster.PushRequestErrors(KafkaApiKey.OffsetCommit, [KafkaErrorCode.RebalanceInProgress]);
        var failing = () => consumer.Commit(offsets);

        failing.Should().Throw<KafkaException>().Which.Error.Code.Should().Be(ErrorCode.RebalanceInProgress);
        consumer.Commit(offsets); // the stack held one error: the next commit is accepted
        consumer.Committed([new TopicPartition("t", 0)], Timeout).Single().Offset.Value.Should().Be(1);
    }

    [Fact]
    public async Task PushBrokerRequestErrors_DelayOnProduce_HoldsTheAcknowledgement()
    {
        await using var cluster = MockCluster.Create(1);
        cluster.CreateTopic("t", 1, 1);
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 0 }).Build();
        await producer.ProduceAsync("t", new Message<string, string> { Key = "k", Value = "warm-up" }, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);

        cluster.PushBrokerRequestErrors(1, KafkaApiKey.Produce, [new(KafkaErrorCode.NoError, 1500)]);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await producer.ProduceAsync("t", new Message<string, string> { Key = "k", Value = "delayed" }, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);

        clock.Elapsed.Should().BeGreaterThan(TimeSpan.FromMilliseconds(1400));
    }

    internal static ConsumerConfig ConsumerConfig(string bootstrap, string group) => new()
    {
        BootstrapServers = bootstrap,
        GroupId = group,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        FetchWaitMaxMs = 20,
    };

    private static async Task ProduceAndConsumeOneAsync(string bootstrap, string topic)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap }).Build();
        var value = Guid.NewGuid().ToString();
        var delivered = await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = value }, TestContext.Current.CancellationToken).WaitAsync(Timeout, TestContext.Current.CancellationToken);
        using var consumer = new ConsumerBuilder<string, string>(ConsumerConfig(bootstrap, "probe")).Build();
        consumer.Assign(new TopicPartitionOffset(delivered.TopicPartition, delivered.Offset));
        var received = consumer.Consume(Timeout);
        received.Should().NotBeNull();
        received!.Message.Value.Should().Be(value);
    }
}
