using Chaos.Harness.Kafka;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Chaos.Harness.Tests.Kafka;

public sealed class MockRetentionTests
{
    private const string Topic = "retained";
    private const string Group = "protector";
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RunOnce_GroupCommittedAndRecordsOlderThanWindow_LowWatermarkRisesToCommittedOffset()
    {
        await using var cluster = Cluster();
        await ProduceAsync(cluster, 10);
        Commit(cluster, 6);
        var time = new FakeTimeProvider();
        await using var retention = Retention(cluster, time);

        (await retention.RunOnceAsync(Cancel())).Should().BeEmpty("nothing is older than the window yet");
        time.Advance(Window + TimeSpan.FromSeconds(1));
        var deleted = await retention.RunOnceAsync(Cancel());

        deleted.Should().ContainSingle().Which.Offset.Value.Should().Be(6);
        var marks = Watermarks(cluster);
        marks.Low.Value.Should().BeInRange(1, 6);
        marks.High.Value.Should().Be(10);
    }

    [Fact]
    public async Task RunOnce_NoCommittedOffset_DeletesNothing()
    {
        await using var cluster = Cluster();
        await ProduceAsync(cluster, 10);
        var time = new FakeTimeProvider();
        await using var retention = Retention(cluster, time);

        await retention.RunOnceAsync(Cancel());
        time.Advance(Window * 3);
        var deleted = await retention.RunOnceAsync(Cancel());

        deleted.Should().BeEmpty();
        Watermarks(cluster).Low.Value.Should().Be(0);
    }

    [Fact]
    public async Task RunOnce_RecordsNewerThanWindow_StayAlthoughCommitted()
    {
        await using var cluster = Cluster();
        await ProduceAsync(cluster, 5);
        var time = new FakeTimeProvider();
        await using var retention = Retention(cluster, time);

        await retention.RunOnceAsync(Cancel());
        time.Advance(Window + TimeSpan.FromSeconds(1));
        await ProduceAsync(cluster, 5);
        Commit(cluster, 10);
        var deleted = await retention.RunOnceAsync(Cancel());

        deleted.Should().ContainSingle().Which.Offset.Value.Should().Be(5, "only what the high watermark had passed a window ago may go");
        var marks = Watermarks(cluster);
        marks.Low.Value.Should().BeInRange(1, 5);
        marks.High.Value.Should().Be(10);
    }

    [Fact]
    public async Task RunOnce_InjectedRequestErrorsPending_SkipsUntilCleared()
    {
        await using var cluster = Cluster();
        await ProduceAsync(cluster, 10);
        Commit(cluster, 6);
        var time = new FakeTimeProvider();
        await using var retention = Retention(cluster, time);
        await retention.RunOnceAsync(Cancel());
        time.Advance(Window + TimeSpan.FromSeconds(1));
        cluster.PushRequestErrors(KafkaApiKey.ListOffsets, [KafkaErrorCode.RequestTimedOut]);

        var whilePending = await retention.RunOnceAsync(Cancel());
        cluster.ClearRequestErrors(KafkaApiKey.ListOffsets);
        var afterHeal = await retention.RunOnceAsync(Cancel());

        whilePending.Should().BeEmpty();
        afterHeal.Should().ContainSingle().Which.Offset.Value.Should().Be(6);
    }

    [Fact]
    public async Task DeleteRecords_UnknownPartition_ThrowsNamingPartition()
    {
        await using var cluster = Cluster();

        var delete = () => cluster.DeleteRecords(Topic, 1, 0);

        delete.Should().Throw<ArgumentOutOfRangeException>().Which.ParamName.Should().Be("partition");
    }

    [Theory]
    [InlineData("10")]
    [InlineData("0s")]
    [InlineData("-5s")]
    [InlineData("ten seconds")]
    [InlineData("10d")]
    [InlineData("")]
    public void ParseDuration_BadValue_ThrowsNamingTheOptionAndValue(string text)
    {
        var parse = () => KafkaArguments.ParseDuration(text, "retention");

        parse.Should().Throw<ArgumentException>().Where(e => e.ParamName == "retention" && e.Message.Contains($"'{text}'"));
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("2m", 120_000)]
    public void ParseDuration_GoodValue_IsParsed(string text, int milliseconds) =>
        KafkaArguments.ParseDuration(text, "retention").Should().Be(TimeSpan.FromMilliseconds(milliseconds));

    [Theory]
    [InlineData("topic")]
    [InlineData("=group")]
    [InlineData("topic=")]
    [InlineData("a b=group")]
    public void RetentionGroupParse_BadValue_ThrowsNamingTheOption(string text)
    {
        var parse = () => KafkaRetentionGroup.Parse(text, "retention-group");

        parse.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("retention-group");
    }

    [Fact]
    public void Validate_RetentionGroupOnTopicNotCreated_ThrowsNamingTheTopic()
    {
        var options = new KafkaHostOptions
        {
            Topics = [new KafkaTopicSpec("jobs", 2, 1)],
            Retention = Window,
            RetentionGroups = [new KafkaRetentionGroup("fanout", "notifier")],
        };

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>()
            .Where(e => e.ParamName == "retention-group" && e.Message.Contains("'fanout'"));
    }

    [Fact]
    public void Validate_RetentionGroupWithoutRetention_Throws()
    {
        var options = new KafkaHostOptions { Topics = [new KafkaTopicSpec("jobs", 2, 1)], RetentionGroups = [new KafkaRetentionGroup("jobs", "jobs")] };

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("retention-group");
    }

    [Fact]
    public void Validate_NonPositiveRetention_ThrowsNamingRetention()
    {
        var options = new KafkaHostOptions { Retention = TimeSpan.Zero };

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().Which.ParamName.Should().Be("retention");
    }

    private static MockCluster Cluster()
    {
        var cluster = MockCluster.Create(1);
        cluster.CreateTopic(Topic, 1, 1);
        return cluster;
    }

    private static MockRetention Retention(MockCluster cluster, TimeProvider time) =>
        new(cluster, Window, [new KafkaRetentionGroup(Topic, Group)], new Dictionary<string, int> { [Topic] = 1 }, time, NullLogger.Instance);

    private static CancellationToken Cancel() => new CancellationTokenSource(Timeout).Token;

    private static async Task ProduceAsync(MockCluster cluster, int count)
    {
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 0 }).Build();
        for (var i = 0; i < count; i++)
        {
            // One at a time, so that each record is a batch of its own and deletion can stop between any two.
            await producer.ProduceAsync(new TopicPartition(Topic, 0), new Message<Null, string> { Value = $"r{i}" }, Cancel());
        }
    }

    private static void Commit(MockCluster cluster, long offset)
    {
        using var consumer = Consumer(cluster, Group);
        consumer.Commit([new TopicPartitionOffset(Topic, 0, offset)]);
        consumer.Close();
    }

    private static WatermarkOffsets Watermarks(MockCluster cluster)
    {
        using var consumer = Consumer(cluster, "reader");
        return consumer.QueryWatermarkOffsets(new TopicPartition(Topic, 0), Timeout);
    }

    private static IConsumer<Ignore, Ignore> Consumer(MockCluster cluster, string group) =>
        new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = group, EnableAutoCommit = false }).Build();
}
