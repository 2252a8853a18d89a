using System.Diagnostics;
using System.Net.Sockets;
using Chaos.Harness.Faults.Kafka;
using Chaos.Harness.Kafka;
using Chaos.Harness.Tests.Support;
using Confluent.Kafka;

namespace Chaos.Harness.Tests.Faults.Kafka;

/// <summary>Each Kafka fault applied and healed against a real (in-process) librdkafka mock cluster, observed by real clients.</summary>
public sealed class KafkaFaultTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task BrokerDown_Apply_RefusesConnections_Heal_AcceptsThemAgain()
    {
        await using var cluster = MockCluster.Create(3);
        var port = int.Parse(cluster.BootstrapServers.Split(',')[1].Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
        var fault = new BrokerDownFault(cluster, 2);

        await fault.ApplyAsync(Ct).WaitAsync(Bound, Ct);
        var whileDown = await CanConnectAsync(port);
        await fault.HealAsync(Ct).WaitAsync(Bound, Ct);
        await fault.HealAsync(Ct).WaitAsync(Bound, Ct); // idempotent

        whileDown.Should().BeFalse("a broker set down stops listening");
        (await CanConnectAsync(port)).Should().BeTrue("the heal sets it up again on the same port");
        fault.Target.Should().Be("broker-2");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public async Task BrokerFaults_UnknownBroker_ThrowBeforeTouchingTheCluster(int broker)
    {
        await using var cluster = MockCluster.Create(3);

        ((Action)(() => _ = new BrokerDownFault(cluster, broker))).Should().Throw<ArgumentOutOfRangeException>().WithMessage("*1..3*");
        ((Action)(() => _ = new CoordinatorMoveFault(cluster, "g", broker))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => _ = new BrokerRttFault(cluster, broker, TimeSpan.FromMilliseconds(10)))).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task BrokerRtt_Apply_DelaysEveryAnswer_Heal_RemovesTheDelay()
    {
        await using var cluster = MockCluster.Create(1);
        cluster.CreateTopic("t", 1, 1);
        using var producer = Producer(cluster.BootstrapServers);
        await producer.ProduceAsync("t", new Message<Null, string> { Value = "warm" }, Ct).WaitAsync(Bound, Ct);
        var fault = new BrokerRttFault(cluster, MockCluster.AllBrokers, TimeSpan.FromMilliseconds(1500));

        await fault.ApplyAsync(Ct).WaitAsync(Bound, Ct);
        var slow = await TimeProduceAsync(producer);
        await fault.HealAsync(Ct).WaitAsync(Bound, Ct);
        var fast = await Fastest.OfAsync(() => TimeProduceAsync(producer));

        slow.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(1400));
        fast.Should().BeLessThan(TimeSpan.FromMilliseconds(1000), "the 1.5 s round-trip delay was removed (the margin is for a loaded CI machine)");
    }

    [Fact]
    public async Task RequestErrors_Apply_FailsTheNextRequests_Heal_ClearsThePendingOnes()
    {
        await using var cluster = MockCluster.Create(1);
        cluster.CreateTopic("t", 1, 1);
        using var producer = Producer(cluster.BootstrapServers, retries: 0);
        await producer.ProduceAsync("t", new Message<Null, string> { Value = "warm" }, Ct).WaitAsync(Bound, Ct);
        var fault = new RequestErrorsFault(cluster, KafkaApiKey.Produce, [KafkaErrorCode.NotEnoughReplicas, .. Enumerable.Repeat(KafkaErrorCode.NotEnoughReplicas, 50)]);

        await fault.ApplyAsync(Ct).WaitAsync(Bound, Ct);
        var failed = () => producer.ProduceAsync("t", new Message<Null, string> { Value = "x" }, Ct).WaitAsync(Bound, Ct);
        (await failed.Should().ThrowAsync<ProduceException<Null, string>>()).Which.Error.Code.Should().Be(ErrorCode.NotEnoughReplicas);
        await fault.HealAsync(Ct).WaitAsync(Bound, Ct);
        var result = await producer.ProduceAsync("t", new Message<Null, string> { Value = "y" }, Ct).WaitAsync(Bound, Ct);

        result.Status.Should().Be(PersistenceStatus.Persisted, "the heal dropped the errors still pending");
    }

    [Fact]
    public async Task LeaderMove_Apply_MovesLeadership_Heal_MovesItBack()
    {
        await using var cluster = MockCluster.Create(3);
        cluster.CreateTopic("t", 2, 1);
        var before = PartitionLeaderMoveFault.ReadLeader(cluster.BootstrapServers, "t", 1);
        var fault = new PartitionLeaderMoveFault(cluster, "t", 1);

        await fault.ApplyAsync(Ct).WaitAsync(Bound, Ct);
        var during = PartitionLeaderMoveFault.ReadLeader(cluster.BootstrapServers, "t", 1);
        await fault.HealAsync(Ct).WaitAsync(Bound, Ct);

        during.Should().NotBe(before, "leadership moved to another broker");
        fault.PreviousLeader.Should().Be(before);
        PartitionLeaderMoveFault.ReadLeader(cluster.BootstrapServers, "t", 1).Should().Be(before);
        fault.Target.Should().Be("t/1");
    }

    [Fact]
    public async Task LeaderMove_Prepared_AppliesWithoutReadingMetadataInItsWindow()
    {
        await using var cluster = MockCluster.Create(3);
        cluster.CreateTopic("t", 2, 1);
        var before = PartitionLeaderMoveFault.ReadLeader(cluster.BootstrapServers, "t", 1);
        var fault = new PartitionLeaderMoveFault(cluster, "t", 1);

        await fault.PrepareAsync(Ct).WaitAsync(Bound, Ct);
        foreach (var broker in new[] { 1, 2, 3 })
        {
            cluster.SetBrokerDown(broker); // a metadata read in the window would now fail
        }

        await fault.ApplyAsync(Ct).WaitAsync(TimeSpan.FromSeconds(5), Ct);
        foreach (var broker in new[] { 1, 2, 3 })
        {
            cluster.SetBrokerUp(broker);
        }

        fault.PreviousLeader.Should().Be(before, "the leader read before the window");
        fault.NewLeader.Should().Be((before % 3) + 1);
        PartitionLeaderMoveFault.ReadLeader(cluster.BootstrapServers, "t", 1).Should().Be(fault.NewLeader!.Value);
        await fault.HealAsync(Ct).WaitAsync(Bound, Ct);
        PartitionLeaderMoveFault.ReadLeader(cluster.BootstrapServers, "t", 1).Should().Be(before);
    }

    [Fact]
    public async Task TopicRefused_Apply_RefusesThatTopicsProducesOnly_Heal_MovesItBack_AndCountsTheBrokersRefusals()
    {
        await using var cluster = MockCluster.Create(2);
        cluster.CreateTopic("refused", 2, 1);
        cluster.CreateTopic("served", 2, 1);
        var before = TopicRefusedFault.ReadLeaders(cluster.BootstrapServers, "refused");
        var fault = new TopicRefusedFault(cluster, "refused", 2);

        await fault.ApplyAsync(Ct).WaitAsync(Bound, Ct);
        var during = TopicRefusedFault.ReadLeaders(cluster.BootstrapServers, "refused");
        using (var producer = Producer(cluster.BootstrapServers))
        {
            var served = await producer.ProduceAsync("served", new Message<Null, string> { Value = "ok" }, Ct).WaitAsync(Bound, Ct);
            served.Status.Should().Be(PersistenceStatus.Persisted, "every other topic is served");
            var refused = () => producer.ProduceAsync("refused", new Message<Null, string> { Value = "x" }, Ct).WaitAsync(Bound, Ct);
            (await refused.Should().ThrowAsync<ProduceException<Null, string>>()).Which.Error.Code.Should().Be(ErrorCode.TopicAuthorizationFailed);
        }

        await fault.HealAsync(Ct).WaitAsync(Bound, Ct);
        await fault.HealAsync(Ct).WaitAsync(Bound, Ct); // idempotent

        during.Should().OnlyContain(l => l.Leader == 3, "the topic's partitions moved to the spare broker");
        TopicRefusedFault.ReadLeaders(cluster.BootstrapServers, "refused").Should().Equal(before, "the heal moved them back");
        fault.Refused.Should().Be(1, "the broker answered one refusal, and counted the other as still pending");
        fault.Outcome.Should().Be("the spare broker 3 refused 1 produce requests for refused (1 refusals still pending at the heal)");
        fault.Target.Should().Be("refused");
        using var after = Producer(cluster.BootstrapServers);
        var healed = await after.ProduceAsync("refused", new Message<Null, string> { Value = "y" }, Ct).WaitAsync(Bound, Ct);
        healed.Status.Should().Be(PersistenceStatus.Persisted, "the topic is led by brokers that refuse nothing again");
    }

    [Fact]
    public async Task TopicRefused_Prepared_AppliesTheLeadersItRead_AndTheHealMovesThemBack()
    {
        await using var cluster = MockCluster.Create(2);
        cluster.CreateTopic("refused", 2, 1);
        var before = TopicRefusedFault.ReadLeaders(cluster.BootstrapServers, "refused");
        var fault = new TopicRefusedFault(cluster, "refused", 1);

        await fault.PrepareAsync(Ct).WaitAsync(Bound, Ct);
        cluster.SetPartitionLeader("refused", 0, before[0].Leader % 2 + 1); // moved after the read: the read is what the heal restores
        await fault.ApplyAsync(Ct).WaitAsync(Bound, Ct);
        var during = TopicRefusedFault.ReadLeaders(cluster.BootstrapServers, "refused");
        using (var producer = Producer(cluster.BootstrapServers))
        {
            var refused = () => producer.ProduceAsync("refused", new Message<Null, string> { Value = "x" }, Ct).WaitAsync(Bound, Ct);
            (await refused.Should().ThrowAsync<ProduceException<Null, string>>()).Which.Error.Code.Should().Be(ErrorCode.TopicAuthorizationFailed);
        }

        await fault.HealAsync(Ct).WaitAsync(Bound, Ct);

        during.Should().OnlyContain(l => l.Leader == 3, "the partitions it read moved to the spare broker");
        TopicRefusedFault.ReadLeaders(cluster.BootstrapServers, "refused").Should().Equal(before, "the heal moved them back to the leaders it read");
        fault.Refused.Should().Be(1);
    }

    [Fact]
    public async Task TopicRefused_UnknownTopic_IsRefusedAtApply_AndLeavesNothingApplied()
    {
        await using var cluster = MockCluster.Create(1);
        var fault = new TopicRefusedFault(cluster, "absent", 1);

        await fault.PrepareAsync(Ct).WaitAsync(Bound, Ct); // a failed read is left to the apply, which reports it
        var apply = () => fault.ApplyAsync(Ct).WaitAsync(Bound, Ct);

        (await apply.Should().ThrowAsync<ArgumentException>()).WithMessage("*absent*");
        await fault.HealAsync(Ct).WaitAsync(Bound, Ct);
        fault.Refused.Should().Be(0);
    }

    [Fact]
    public async Task Replay_RepublishesAlreadyWrittenRecords_SameKeyValueAndPartition()
    {
        await using var cluster = MockCluster.Create(1);
        cluster.CreateTopic("t", 2, 1);
        using (var producer = Producer(cluster.BootstrapServers))
        {
            for (var i = 0; i < 40; i++)
            {
                await producer.ProduceAsync(new TopicPartition("t", i % 2), new Message<Null, string> { Value = $"v{i}" }, Ct).WaitAsync(Bound, Ct);
            }
        }

        var fault = new RecordReplayFault(cluster.BootstrapServers, "t", 10, seed: 7);

        await fault.ApplyAsync(Ct).WaitAsync(Bound, Ct);
        await fault.HealAsync(Ct).WaitAsync(Bound, Ct);

        fault.Replayed.Should().Be(10);
        TopicRecords.Count(cluster.BootstrapServers, "t").Should().Be(50);
        fault.Slices.Should().HaveCount(2).And.OnlyContain(s => s.Count == 5 && s.From + s.Count <= 10, "slices come from the older half of each partition");
        var values = TopicRecords.ReadAll(cluster.BootstrapServers, "t", Ct).Select(r => (Value: r.Value!, r.Partition)).ToList();
        values.Should().HaveCount(50);
        values.GroupBy(v => v).Where(g => g.Count() == 2).Should().HaveCount(10, "each replayed record is a copy of one already written");
        values.Where(v => int.Parse(v.Value[1..], System.Globalization.CultureInfo.InvariantCulture) % 2 != v.Partition).Should().BeEmpty("copies go to the partition of their original");
    }

    [Fact]
    public async Task TopicRecords_ReadAll_ReadsEveryRecordUpToTheMarksTakenAtItsStart_InPartitionAndOffsetOrder()
    {
        await using var cluster = MockCluster.Create(1);
        cluster.CreateTopic("t", 3, 1);
        cluster.CreateTopic("empty", 2, 1);
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            for (var i = 0; i < 7; i++)
            {
                // partition 2 stays empty: a partition with nothing to read must not hold the read open
                await producer.ProduceAsync(new TopicPartition("t", i % 2), new Message<string, string> { Key = $"k{i}", Value = $"v{i}" }, Ct).WaitAsync(Bound, Ct);
            }
        }

        var records = await Task.Run(() => TopicRecords.ReadAll(cluster.BootstrapServers, "t", Ct), Ct).WaitAsync(Bound, Ct);

        records.Select(r => (r.Partition, r.Offset, r.Key, r.Value)).Should().Equal(
            (0, 0L, "k0", "v0"), (0, 1L, "k2", "v2"), (0, 2L, "k4", "v4"), (0, 3L, "k6", "v6"),
            (1, 0L, "k1", "v1"), (1, 1L, "k3", "v3"), (1, 2L, "k5", "v5"));
        (await Task.Run(() => TopicRecords.ReadAll(cluster.BootstrapServers, "empty", Ct), Ct).WaitAsync(Bound, Ct)).Should().BeEmpty();
        var missing = () => TopicRecords.ReadAll(cluster.BootstrapServers, "no-such-topic", Ct);
        missing.Should().Throw<ArgumentException>().WithMessage("topic no-such-topic does not exist*", "a missing topic must not read as one with no records");
    }

    [Fact]
    public async Task GroupOffsets_Lag_CountsRecordsPastTheCommittedOffset_FromTheLogStartWhereNoneIsCommitted()
    {
        await using var cluster = MockCluster.Create(1);
        cluster.CreateTopic("t", 2, 1);
        using var producer = Producer(cluster.BootstrapServers);
        for (var i = 0; i < 30; i++)
        {
            await producer.ProduceAsync(new TopicPartition("t", i % 2), new Message<Null, string> { Value = "v" }, Ct).WaitAsync(Bound, Ct);
        }

        GroupOffsets.Lag(cluster.BootstrapServers, "g", "t").Should().Be(30, "a group that committed nothing has everything ahead of it");

        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "g", EnableAutoCommit = false }).Build();
        consumer.Commit([new TopicPartitionOffset("t", 0, 15), new TopicPartitionOffset("t", 1, 4)]);
        GroupOffsets.Lag(cluster.BootstrapServers, "g", "t").Should().Be(11, "partition 0 is caught up, partition 1 has 11 of its 15 ahead");

        consumer.Commit([new TopicPartitionOffset("t", 1, 15)]);
        GroupOffsets.Lag(cluster.BootstrapServers, "g", "t").Should().Be(0);
        GroupOffsets.Lag(cluster.BootstrapServers, "other", "t").Should().Be(30, "lag is per group");
    }

    [Fact]
    public async Task GroupOffsets_Behind_CountsOnlyRecordsBelowTheMarks_WhateverWasAppendedSince()
    {
        await using var cluster = MockCluster.Create(1);
        cluster.CreateTopic("t", 2, 1);
        using var producer = Producer(cluster.BootstrapServers);
        for (var i = 0; i < 20; i++)
        {
            await producer.ProduceAsync(new TopicPartition("t", i % 2), new Message<Null, string> { Value = "v" }, Ct).WaitAsync(Bound, Ct);
        }

        var marks = TopicRecords.HighWatermarks(cluster.BootstrapServers, "t");
        for (var i = 0; i < 10; i++)
        {
            await producer.ProduceAsync(new TopicPartition("t", i % 2), new Message<Null, string> { Value = "later" }, Ct).WaitAsync(Bound, Ct);
        }

        marks.Should().BeEquivalentTo(new Dictionary<int, long> { [0] = 10, [1] = 10 });
        GroupOffsets.Behind(cluster.BootstrapServers, "g", "t", marks).Should().Be(20, "nothing committed: every record below the marks is ahead");
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "g", EnableAutoCommit = false }).Build();
        consumer.Commit([new TopicPartitionOffset("t", 0, 10), new TopicPartitionOffset("t", 1, 7)]);
        GroupOffsets.Behind(cluster.BootstrapServers, "g", "t", marks).Should().Be(3, "records appended after the marks do not count");
        consumer.Commit([new TopicPartitionOffset("t", 1, 10)]);
        GroupOffsets.Behind(cluster.BootstrapServers, "g", "t", marks).Should().Be(0, "past every mark, though 10 later records are still ahead");
    }

    [Fact]
    public async Task RepeatedRecords_CountsAnIdentityProducedTwice_NotOneProduceCall_NorOtherIdentities()
    {
        await using var cluster = MockCluster.Create(1);
        cluster.CreateTopic("d", 3, 1);
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 0 }).Build();
        async Task ProduceAsync(string user, string id, long stampMs, int partition) =>
            await producer.ProduceAsync(new TopicPartition("d", partition), new Message<string, string>
            {
                Key = user,
                Value = $$"""{"id":"{{id}}","user":"{{user}}","seq":1}""",
                Timestamp = new Timestamp(stampMs, TimestampType.CreateTime),
            }, Ct).WaitAsync(Bound, Ct);

        await ProduceAsync("u1", "m1", 1_000, 0);
        await ProduceAsync("u2", "m1", 1_000, 1); // same message, another user: another identity
        await ProduceAsync("u1", "m1", 5_000, 0); // handled again: a second produce call, later
        await ProduceAsync("u3", "m2", 2_000, 2);
        await ProduceAsync("u3", "m2", 2_000, 2); // the same stamp: may be one call sent twice by the client, not counted
        await producer.ProduceAsync(new TopicPartition("d", 1), new Message<string, string> { Key = "u4", Value = "not json" }, Ct).WaitAsync(Bound, Ct);

        var read = RepeatedRecords.Read(cluster.BootstrapServers, "d", "id", Bound);

        read.Records.Should().Be(6);
        read.Repeated.Should().Be(1);
        read.Examples.Should().Equal("u1/m1");
    }

    [Fact]
    public async Task GroupOffsets_Rewind_MovesCommittedOffsetsBack_NotBelowTheLogStart()
    {
        await using var cluster = MockCluster.Create(1);
        cluster.CreateTopic("t", 2, 1);
        using (var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "g", EnableAutoCommit = false }).Build())
        {
            using var producer = Producer(cluster.BootstrapServers);
            for (var i = 0; i < 30; i++)
            {
                await producer.ProduceAsync(new TopicPartition("t", i % 2), new Message<Null, string> { Value = "v" }, Ct).WaitAsync(Bound, Ct);
            }

            consumer.Commit([new TopicPartitionOffset("t", 0, 15), new TopicPartitionOffset("t", 1, 4)]);
        }

        var rewound = GroupOffsets.Rewind(cluster.BootstrapServers, "g", "t", 10);

        rewound.Should().Be(14, "partition 0 goes back 10 records, partition 1 only the 4 it has");
        using var reader = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "g" }).Build();
        reader.Committed([new TopicPartition("t", 0), new TopicPartition("t", 1)], TimeSpan.FromSeconds(10)).Select(c => c.Offset.Value).Should().Equal(5, 0);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IProducer<Null, string> Producer(string bootstrap, int retries = 5) =>
        new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 0, MessageSendMaxRetries = retries, RetryBackoffMs = 10 }).Build();

    private static async Task<TimeSpan> TimeProduceAsync(IProducer<Null, string> producer)
    {
        var clock = Stopwatch.StartNew();
        await producer.ProduceAsync("t", new Message<Null, string> { Value = "timed" }, Ct).WaitAsync(Bound, Ct);
        return clock.Elapsed;
    }

    private static async Task<bool> CanConnectAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(5), Ct);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
