using Chaos.Harness.Sut;
using Chaos.Scenarios.Tests.Check;
using Chaos.Scenarios.Tests.Kafka;

namespace Chaos.Scenarios.Tests.Run;

/// <summary>
/// `chaos run --kafka-bootstrap`: the system on a Kafka cluster the run did not start — here `chaos kafka` in a process
/// of its own, standing in for a user's cluster (docs/running.md, "An existing Kafka").
/// </summary>
public sealed class ExistingKafkaRunTests : IDisposable
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(4);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "chaos-run-tests", Guid.NewGuid().ToString("N")[..8]);

    private static string[] Short(string outDir, string bootstrap) =>
        ["run", "steady-state", "--duration", "6s", "--warmup", "3s", "--rate", "30", "--job-rate", "3", "--users", "4", "--devices", "2", "--out", outDir, "--kafka-bootstrap", bootstrap];

    /// <summary>The system's topics, as a user would create them on their cluster.</summary>
    private static string[] Topics => [.. ReferenceSystemOptions.Topics.SelectMany(t => new[] { "--topic", $"{t.Topic}:{t.Partitions}" })];

    [Fact]
    public async Task A_run_on_a_cluster_started_apart_holds_every_promise_and_a_second_run_on_its_used_topics_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kafka = await KafkaTestHost.StartAsync(["--brokers", "3", .. Topics]);
        var first = Path.Combine(_root, "first");

        var run = await ChaosCli.RunAsync(RunTimeout, ct, Short(first, kafka.BootstrapServers));

        run.ExitCode.Should().Be(0, $"the correct system on an existing cluster must pass steady-state; stdout:\n{run.Stdout}\nstderr:\n{run.Stderr}");
        Directory.GetFiles(Path.Combine(first, "logs")).Should().NotContain(f => f.EndsWith("kafka.log", StringComparison.Ordinal), "the run started no Kafka of its own")
            .And.Contain(f => f.EndsWith("notifier-1.log", StringComparison.Ordinal));
        run.Stdout.Should().Contain($"--kafka-bootstrap {kafka.BootstrapServers}", "the reproduce line names the cluster");
        var history = await File.ReadAllLinesAsync(Path.Combine(first, "history.jsonl"), ct);
        history.Count(l => l.Contains("\"f\":\"deliver\"", StringComparison.Ordinal)).Should().BeGreaterThan(50, "the load went through the existing cluster");

        var second = await ChaosCli.RunAsync(RunTimeout, ct, Short(Path.Combine(_root, "second"), kafka.BootstrapServers));

        second.ExitCode.Should().Be(2, "records of the first run would reach the second run's devices as messages no one sent");
        (second.Stdout + second.Stderr).Should().Contain("topic fanout").And.Contain("already holds");
        File.Exists(Path.Combine(_root, "second", "logs", "api-1.log")).Should().BeFalse("no node was started");
    }

    [Fact]
    public async Task A_cluster_without_the_systems_topics_that_cannot_create_them_is_refused_naming_them()
    {
        // the embedded cluster serves no CreateTopics: like a cluster whose ACLs forbid it
        await using var kafka = await KafkaTestHost.StartAsync("--brokers", "1");

        var run = await ChaosCli.RunAsync(RunTimeout, TestContext.Current.CancellationToken, Short(Path.Combine(_root, "bare"), kafka.BootstrapServers));

        run.ExitCode.Should().Be(2);
        (run.Stdout + run.Stderr).Should().Contain("fanout (6 partitions)").And.Contain("create them before the run");
    }

    [Fact]
    public async Task A_cluster_that_does_not_answer_is_refused_naming_the_address()
    {
        var run = await ChaosCli.RunAsync(RunTimeout, TestContext.Current.CancellationToken, Short(Path.Combine(_root, "none"), "127.0.0.1:9"));

        run.ExitCode.Should().Be(2);
        (run.Stdout + run.Stderr).Should().Contain("the Kafka at 127.0.0.1:9 did not answer");
    }

    [Fact]
    public async Task A_scenario_with_broker_faults_is_refused_before_anything_starts()
    {
        var dir = Path.Combine(_root, "outage");

        var run = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken,
            "run", "broker-outage", "--out", dir, "--kafka-bootstrap", "127.0.0.1:9");

        run.ExitCode.Should().Be(2);
        (run.Stdout + run.Stderr).Should().Contain("needs the embedded Kafka's control channel");
        Directory.Exists(dir).Should().BeFalse("refused before the run folder was made");
    }

    [Theory]
    [InlineData("kafka-host", "'kafka-host' is not host:port")]
    [InlineData("127.0.0.1:99999", "'127.0.0.1:99999' is not host:port")]
    [InlineData("127.0.0.1:9092,10.1.2.3:9092", "refusing non-loopback target '10.1.2.3:9092' (--kafka-bootstrap)")]
    public async Task A_bad_bootstrap_list_exits_2_naming_it(string bootstrap, string named)
    {
        var run = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken, "run", "steady-state", "--out", Path.Combine(_root, "bad"), "--kafka-bootstrap", bootstrap);

        run.ExitCode.Should().Be(2);
        (run.Stdout + run.Stderr).Should().Contain(named);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
