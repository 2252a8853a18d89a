using System.Text.Json;
using Chaos.Harness.Faults.Downstream;
using Chaos.Harness.History;
using Chaos.Reference.Tests.Support;
using Confluent.Kafka;

namespace Chaos.Reference.Tests;

/// <summary>
/// A produce Kafka refuses for good (TOPIC_AUTHORIZATION_FAILED: an ACL removed) is a failure path of the system, not
/// the end of it (docs/reference-system.md, "Produce failures"). Each test has a cluster of its own: the refusals are
/// cluster-wide and would reach the other tests' producers.
/// </summary>
public sealed class ProduceFailureTests
{
    private const short Produce = 0;
    private const int TopicAuthorizationFailed = 29;

    [Fact]
    public async Task A_notifier_whose_deliveries_are_refused_keeps_running_and_delivers_every_record_once_the_refusals_end()
    {
        var ct = TestContext.Current.CancellationToken;
        using var kafka = new TemporaryMockKafka();
        await using var run = await SystemRun.CreateAsync(kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        string[] ids = ["r1", "r2", "r3", "r4", "r5"];
        await KafkaTestProducer.ProduceAsync(kafka.BootstrapServers, run.Prefix + "fanout", "alice",
            [.. ids.Select(id => JsonSerializer.Serialize(new { messageId = id, kind = "message", user = "alice", sender = "s", conversation = (string?)null, payload = "p", sentAt = 1L }))]);

        // the api's relay has nothing to publish, so the next Produce requests are the notifier's deliveries
        kafka.PushRequestErrors(Produce, TopicAuthorizationFailed, 3);
        var notifier = await run.StartAsync("notifier", "notifier-1");

        var inbox = await MessagingDefectTests.WaitForInboxContainsAsync(run, api, "alice", "r5");
        var delivered = ReadDeliveries(kafka.BootstrapServers, run.Prefix + "deliveries", ids.Length, ct);

        notifier.HasExited.Should().BeFalse($"a refused produce is a failure path, not the end of the process\n{run.Logs()}");
        notifier.Lines.Count(l => l.Contains("deliveries of a batch not acknowledged by Kafka", StringComparison.Ordinal)).Should().BeGreaterThanOrEqualTo(1, "the refusals reached the notifier");
        inbox.Select(x => x.Id).Should().Equal(ids, "every record once, in order");
        inbox.Select(x => x.Seq).Should().Equal([1L, 2, 3, 4, 5], "a batch read again keeps the sequence numbers it was given");
        delivered.Should().OnlyContain(d => ids.Contains(d.Id)).And.Contain(d => d.Id == "r1");
        delivered.Select(d => d.Id).Distinct().Should().BeEquivalentTo(ids, "every record's delivery reached the backplane after the refusals");
    }

    [Fact]
    public async Task An_outbox_relay_whose_publish_is_refused_retries_with_backoff_and_publishes_every_row()
    {
        var ct = TestContext.Current.CancellationToken;
        using var kafka = new TemporaryMockKafka();
        await using var run = await SystemRun.CreateAsync(kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        await run.TokenAsync(api, "alice");
        kafka.PushRequestErrors(Produce, TopicAuthorizationFailed, 4);
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await run.SendAsync(api, $"k{i}", ["alice"], $"msg {i}", ct));
        }

        await MessagingDefectTests.WaitPublishedAsync(run, api, 5);
        await run.StartAsync("notifier", "notifier-1");
        var inbox = await MessagingDefectTests.WaitForInboxContainsAsync(run, api, "alice", ids[^1]);

        var failures = api.Lines.Where(l => l.Contains("publishing outbox row", StringComparison.Ordinal)).ToList();
        failures.Should().HaveCountGreaterThanOrEqualTo(1, "the refusals reached the relay").And.HaveCountLessThanOrEqualTo(4,
            "with a new producer and a wait after each failure, one refused request costs one retry, not a tight loop");
        inbox.Select(x => x.Id).Should().Equal(ids, "every row, once, in the order it was sent");
    }

    /// <summary>
    /// Regression (found by reading the code for issue 11, not by a run): the jobs worker marked a job dead in its store
    /// and then produced its dead-letter record; a refused produce escaped to the worker's fatal handler (the process
    /// exited), and the redelivery found the job already dead and skipped it, so the record was never written. Now the
    /// record goes first and a refusal is a failure path: not committed, read again, dead-lettered again.
    /// </summary>
    [Fact]
    public async Task A_jobs_worker_whose_dead_letter_record_is_refused_keeps_running_and_writes_the_record_once_the_refusals_end()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var provider = await DownstreamProvider.StartAsync(new DownstreamProviderOptions { Seed = 1 }, ct);

        // a poison job (amount 0): the worker dead-letters it without calling anyone
        var (jobsExited, jobsLines, records, logs) = await DeadLetterWithRecordsRefusedAsync(provider, amount: 0, "tx-poison", ct);

        jobsExited.Should().BeFalse($"a refused dead-letter record is a failure path, not the end of the process\n{logs}");
        jobsLines.Count(l => l.Contains("a dead-letter record was refused by Kafka", StringComparison.Ordinal)).Should().BeGreaterThanOrEqualTo(1, "the refusals reached the worker");
        records.Should().Contain("tx-poison", "the dead-letter record was written once Kafka took it");
        provider.Calls.Should().BeEmpty("a poison job is never called");
    }

    [Fact]
    public async Task A_job_refused_for_good_whose_dead_letter_record_is_refused_is_dead_lettered_again_without_another_call()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var provider = await DownstreamProvider.StartAsync(new DownstreamProviderOptions { Seed = 1 }, ct);
        provider.Configure(new DownstreamConditions(0, TimeSpan.Zero, RefusalRate: 1));

        // the provider refuses the job for good; Kafka refuses its dead-letter record twice, and the worker reads the
        // job again each time: it must dead-letter it again, never call the provider a second time
        var (_, jobsLines, records, logs) = await DeadLetterWithRecordsRefusedAsync(provider, amount: 5, "tx-refused", ct);

        jobsLines.Count(l => l.Contains("a dead-letter record was refused by Kafka", StringComparison.Ordinal)).Should().BeGreaterThanOrEqualTo(1, "the refusals reached the worker");
        records.Should().Contain("tx-refused", "the dead-letter record was written once Kafka took it");
        provider.Calls.Should().ContainSingle($"a job the provider refused for good is not called again, whatever happened to its dead-letter record\n{logs}")
            .Which.Outcome.Should().Be(CallValue.Refused);
    }

    /// <summary>
    /// One job submitted and published; then Kafka refuses the next two Produce requests (the api has nothing left to
    /// publish, so they are the jobs worker's dead-letter records) and a jobs worker starts against
    /// <paramref name="provider"/>. Returns once the job is dead in the store: whether the worker had exited, its lines,
    /// the dead-letter topic's keys and the run's logs, all read before the run is stopped.
    /// </summary>
    private static async Task<(bool JobsExited, List<string> JobsLines, List<string?> Records, string Logs)> DeadLetterWithRecordsRefusedAsync(
        DownstreamProvider provider, long amount, string transaction, CancellationToken ct)
    {
        using var kafka = new TemporaryMockKafka();
        await using var run = await SystemRun.CreateAsync(kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        using (var submitted = await run.PostAsync(api, "/jobs", new { account = "acc-1", amount, transactionId = transaction }, ct))
        {
            submitted.IsSuccessStatusCode.Should().BeTrue();
        }

        await MessagingDefectTests.WaitPublishedAsync(run, api, 1);
        kafka.PushRequestErrors(Produce, TopicAuthorizationFailed, 2);
        var jobs = await run.StartAsync("jobs", "jobs-1", "--downstream", provider.Address.ToString());

        await MessagingDefectTests.WaitUntilAsync(async () =>
        {
            try
            {
                return (await run.GetJsonAsync(api, $"/jobs/{transaction}")).GetProperty("state").GetString() == "dead";
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), run.Logs);
        var records = ReadKeys(kafka.BootstrapServers, run.Prefix + "jobs-dlq", transaction, ct);
        return (jobs.HasExited, [.. jobs.Lines], records, run.Logs());
    }

    private static List<string?> ReadKeys(string bootstrap, string topic, string wanted, CancellationToken ct) =>
        Read(bootstrap, topic, TimeSpan.FromSeconds(30), m => m.Key, keys => keys.Contains(wanted), ct);

    private static List<(string Id, long Seq)> ReadDeliveries(string bootstrap, string topic, int distinct, CancellationToken ct) =>
        Read(
            bootstrap,
            topic,
            TimeSpan.FromSeconds(60),
            m =>
            {
                using var doc = JsonDocument.Parse(m.Value);
                return (doc.RootElement.GetProperty("id").GetString()!, doc.RootElement.GetProperty("seq").GetInt64());
            },
            seen => seen.Select(s => s.Item1).Distinct().Count() >= distinct,
            ct);

    /// <summary>Reads <paramref name="topic"/> from its start as a new group until <paramref name="done"/> or <paramref name="bound"/> has passed.</summary>
    private static List<T> Read<T>(string bootstrap, string topic, TimeSpan bound, Func<Message<string?, string>, T> map, Func<List<T>, bool> done, CancellationToken ct)
    {
        using var consumer = new ConsumerBuilder<string?, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "test-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topic);
        var seen = new List<T>();
        var deadline = DateTime.UtcNow + bound;
        while (!done(seen) && DateTime.UtcNow < deadline)
        {
            ct.ThrowIfCancellationRequested();
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { Message: { } m })
            {
                seen.Add(map(m));
            }
        }

        consumer.Close();
        return seen;
    }
}
