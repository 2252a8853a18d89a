using Chaos.Harness.Kafka;
using Confluent.Kafka;

namespace Chaos.Scenarios.Tests.Kafka;

[Collection(KafkaCollection.Name)]
public sealed class EmbeddedKafkaHostTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Bad_input_through_the_control_channel_is_an_error_naming_the_argument_and_the_host_stays_up()
    {
        await using var host = await KafkaTestHost.StartAsync("--brokers", "2");
        var ct = TestContext.Current.CancellationToken;

        var refusals = new (Func<Task> Call, string Argument)[]
        {
            (async () => await host.SetBrokerDownAsync(3, ct), "brokerId"),
            (async () => await host.SetRttAsync(1, -1, ct), "rttMs"),
            (async () => await host.CreateTopicAsync("t", 0, 1, ct), "partitions"),
            (async () => await host.CreateTopicAsync("t", -2, 1, ct), "partitions"),
            (async () => await host.CreateTopicAsync("bad/name", 1, 1, ct), "topic"),
            (async () => await host.CreateTopicAsync("..", 1, 1, ct), "topic"),
            (async () => await host.CreateTopicAsync("t", 1, 3, ct), "replicationFactor"),
            (async () => await host.SetCoordinatorAsync(KafkaCoordinatorType.Group, "g", 9, ct), "brokerId"),
            (async () => await host.SetPartitionLeaderAsync("missing", 0, 1, ct), "topic"),
            (async () => await host.PushBrokerRequestErrorsAsync(0, KafkaApiKey.Produce, [new(KafkaErrorCode.RequestTimedOut)], ct), "brokerId"),
        };
        foreach (var (call, argument) in refusals)
        {
            (await call.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be(argument);
        }

        await host.CreateTopicAsync("t", 2, 2, ct);
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = host.BootstrapServers }).Build();
        var delivered = await producer.ProduceAsync("t", new Message<string, string> { Key = "k", Value = "still up" }, ct).WaitAsync(Timeout, ct);
        delivered.Status.Should().Be(PersistenceStatus.Persisted);
        host.Failure.IsCompleted.Should().BeFalse();
    }

    [Fact]
    public async Task A_host_that_dies_is_reported_as_a_topology_failure_with_its_stderr_tail()
    {
        await using var host = await KafkaTestHost.StartAsync("--brokers", "1");

        Signals.Send(host.ProcessId, Signals.SigKill);
        var failure = await host.Failure.Invoking(t => t.WaitAsync(Timeout, TestContext.Current.CancellationToken)).Should().ThrowAsync<EmbeddedKafkaHostException>();

        failure.Which.ExitCode.Should().Be(137);
        failure.Which.StandardErrorTail.Should().Contain("Mock Kafka cluster of 1 brokers");
        var call = async () => await host.SetBrokerDownAsync(1, TestContext.Current.CancellationToken);
        await call.Should().ThrowAsync<EmbeddedKafkaHostException>();
    }

    [Fact]
    public async Task A_host_that_cannot_start_is_a_topology_failure_naming_the_bad_option()
    {
        var start = () => KafkaTestHost.StartAsync("--brokers", "0");

        var failure = await start.Should().ThrowAsync<EmbeddedKafkaHostException>();

        failure.Which.ExitCode.Should().Be(2);
        failure.Which.StandardErrorTail.Should().Contain("--brokers");
    }

    [Fact]
    public async Task Dispose_stops_the_host_and_leaves_no_process()
    {
        var host = await KafkaTestHost.StartAsync("--brokers", "1");
        var pid = host.ProcessId;

        await host.DisposeAsync();

        Signals.IsAlive(pid).Should().BeFalse();
        await host.Failure.WaitAsync(Timeout, TestContext.Current.CancellationToken); // a requested stop is not a failure
    }
}
