using Chaos.Harness.Faults.Kafka;
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
            (() => cluster.PendingBrokerRequestErrors(3, KafkaApiKey.Produce), "brokerId"),
            (() => cluster.PendingBrokerRequestErrors(1, (KafkaApiKey)999), "apiKey"),
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

    [Fact]
    public void SpareBroker_IsAddedOnce_AfterTheLastBootstrapBroker_AndIsAKnownBrokerFromThen()
    {
        using var cluster = MockCluster.Create(2);
        cluster.CreateTopic("t", 1, 1);
        cluster.CreateTopic("wide", 6, 1);
        var beforeAdded = () => cluster.SetPartitionLeader("t", 0, 3);
        beforeAdded.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*1..2*");
        var leaders = TopicRefusedFault.ReadLeaders(cluster.BootstrapServers, "wide");

        var blank = () => cluster.SpareBroker(["g", " "]);
        blank.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("keepCoordinators");

        var spare = cluster.SpareBroker();

        spare.Should().Be(3, "a refused call added nothing");
        TopicRefusedFault.ReadLeaders(cluster.BootstrapServers, "wide").Should().Equal(leaders,
            "the mock spreads existing leadership over a broker it adds; the spare moves it straight back");
        cluster.SpareBroker().Should().Be(3, "there is one spare, however often it is asked for");
        cluster.BootstrapServers.Split(',').Should().HaveCount(2, "the spare is not a bootstrap broker");
        cluster.PendingBrokerRequestErrors(spare, KafkaApiKey.Produce).Should().Be(0);
        cluster.PushBrokerRequestErrors(spare, KafkaApiKey.Produce, [new(KafkaErrorCode.TopicAuthorizationFailed), new(KafkaErrorCode.TopicAuthorizationFailed)]);
        cluster.PendingBrokerRequestErrors(spare, KafkaApiKey.Produce).Should().Be(2);
        cluster.PendingBrokerRequestErrors(spare, KafkaApiKey.Fetch).Should().Be(0, "counted per API key");
        cluster.SetPartitionLeader("t", 0, spare);
        var unknown = () => cluster.SetPartitionLeader("t", 0, 4);
        unknown.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*spare broker 3*");
    }

    [Fact]
    public async Task SpareBroker_KeepsTheNamedGroupsCoordinator_AndTheOthersFollowTheMocksHash()
    {
        await using var cluster = MockCluster.Create(3);
        cluster.CreateTopic("t", 1, 1);
        await ProduceAndConsumeOneAsync(cluster.BootstrapServers, "t");
        // groups whose hashed coordinator differs between 3 brokers and 4: the ones a spare broker would move
        var moved = Enumerable.Range(0, 200).Select(i => $"g{i}").Where(g => MockCluster.HashedCoordinator(g, 3) != MockCluster.HashedCoordinator(g, 4)).Take(2).ToList();
        var (kept, other) = (moved[0], moved[1]);

        cluster.SpareBroker([kept]);

        // a broker refuses the next OffsetCommit it receives: a commit meets the refusal only on its group's coordinator
        CommitMeetsTheRefusalOn(cluster, kept, MockCluster.HashedCoordinator(kept, 3));
        CommitMeetsTheRefusalOn(cluster, other, MockCluster.HashedCoordinator(other, 4));
    }

    private static void CommitMeetsTheRefusalOn(MockCluster cluster, string group, int broker)
    {
        cluster.PushBrokerRequestErrors(broker, KafkaApiKey.OffsetCommit, [new(KafkaErrorCode.GroupAuthorizationFailed)]);
        using var consumer = new ConsumerBuilder<string, string>(ConsumerConfig(cluster.BootstrapServers, group)).Build();
        var commit = () => consumer.Commit([new TopicPartitionOffset("t", 0, 1)]);

        commit.Should().Throw<KafkaException>($"group {group}'s coordinator is broker {broker}").Which.Error.Code.Should().Be(ErrorCode.GroupAuthorizationFailed);
        cluster.PendingBrokerRequestErrors(broker, KafkaApiKey.OffsetCommit).Should().Be(0);
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
