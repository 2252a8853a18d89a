using Chaos.Reference.Adapter;
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

    private static string[] Short(string outDir, string bootstrap) => [.. Load(outDir), "--kafka-bootstrap", bootstrap];

    private static string[] Load(string outDir) =>
        ["run", "steady-state", "--duration", "6s", "--warmup", "3s", "--rate", "30", "--job-rate", "3", "--users", "4", "--devices", "2", "--out", outDir];

    /// <summary>A system file (docs/systems.md) in the test's folder with <paramref name="text"/>; its path.</summary>
    private string SystemFile(string text)
    {
        Directory.CreateDirectory(_root);
        var path = Path.Combine(_root, $"system-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The system's topics, as a user would create them on their cluster.</summary>
    private static string[] Topics => [.. ReferenceSystemOptions.Topics.SelectMany(t => new[] { "--topic", $"{t.Topic}:{t.Partitions}" })];

    [Fact]
    public async Task A_run_on_a_cluster_started_apart_holds_every_promise_and_a_second_run_on_its_used_topics_is_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kafka = await KafkaTestHost.StartAsync(["--brokers", "3", .. Topics]);
        var first = Path.Combine(_root, "first");
        // the first run finds the cluster in a system file, the second on the command line: both ways lead to it
        var system = SystemFile($"system: reference\nkafka:\n  bootstrap: {kafka.BootstrapServers}\n");

        var run = await ChaosCli.RunAsync(RunTimeout, ct, [.. Load(first), "--system", system]);

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

    [Fact]
    public async Task A_system_file_is_checked_before_anything_starts_and_may_not_say_what_a_flag_says()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Path.Combine(_root, "system");
        var bad = SystemFile("system: reference\nkafka:\n  bootstrap: kafka-host\ntopology: kubernetes\n");

        var refused = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), ct, [.. Load(dir), "--system", bad]);

        refused.ExitCode.Should().Be(2);
        refused.Stderr.Should().Contain("--system: 2 problems:").And.Contain($"{bad}:3:14: kafka.bootstrap: 'kafka-host' is not host:port")
            .And.Contain($"{bad}:4:11: topology: 'kubernetes' is not a topology");
        Directory.Exists(dir).Should().BeFalse("refused before the run folder was made");

        var both = SystemFile("system: reference\nkafka: embedded\n");
        var twice = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), ct, [.. Short(dir, "127.0.0.1:9"), "--system", both]);

        twice.ExitCode.Should().Be(2);
        twice.Stderr.Should().Contain($"--kafka-bootstrap and the system file {both} (kafka) both set it: give one");
    }

    [Fact]
    public async Task A_system_files_cluster_is_the_one_the_run_uses_and_the_broker_faults_are_refused_on_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var system = SystemFile("system: reference\nkafka: { bootstrap: 127.0.0.1:9 }\n");

        var silent = await ChaosCli.RunAsync(RunTimeout, ct, [.. Load(Path.Combine(_root, "silent")), "--system", system]);
        var outage = await ChaosCli.RunAsync(TimeSpan.FromMinutes(1), ct, "run", "broker-outage", "--out", Path.Combine(_root, "outage"), "--system", system);

        silent.ExitCode.Should().Be(2);
        (silent.Stdout + silent.Stderr).Should().Contain("the Kafka at 127.0.0.1:9 did not answer");
        outage.ExitCode.Should().Be(2);
        (outage.Stdout + outage.Stderr).Should().Contain("needs the embedded Kafka's control channel");
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
