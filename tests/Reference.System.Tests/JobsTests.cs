using System.Net;
using System.Text.Json;
using Chaos.Harness.Faults.Downstream;
using Chaos.Harness.History;
using Chaos.Reference.Tests.Support;

namespace Chaos.Reference.Tests;

/// <summary>Credit jobs: once per transaction id, retries with backoff and jitter, the DLQ, and the jobs defects.</summary>
public sealed class JobsTests(MockKafkaFixture fixture)
{
    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task The_same_job_submitted_5_times_concurrently_and_replayed_on_Kafka_credits_the_account_once(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, Backend.PostgresFor(backend), ct);
        var api = await run.StartAsync("api", "api-1");
        await run.StartAsync("jobs", "jobs-1");
        await run.StartAsync("jobs", "jobs-2");
        var body = new { account = "acc-1", amount = 250, transactionId = "tx-1" };
        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => run.PostAsync(api, "/jobs", body, ct)));
        responses.Select(r => r.StatusCode).Should().OnlyContain(s => s == HttpStatusCode.Accepted || s == HttpStatusCode.OK);
        responses.Count(r => r.StatusCode == HttpStatusCode.Accepted).Should().Be(1);

        await WaitJobStateAsync(run, api, "tx-1", "done");
        // A replay of the record (a duplicate event) must not credit again either.
        var record = JsonSerializer.Serialize(new { key = "tx-1", account = "acc-1", amount = 250, transactionId = "tx-1" });
        await KafkaTestProducer.ProduceAsync(fixture.Kafka.BootstrapServers, run.Prefix + "jobs", "acc-1", record);
        await run.PostAsync(api, "/jobs", new { account = "acc-1", amount = 1, transactionId = "tx-marker" }, ct);
        await WaitJobStateAsync(run, api, "tx-marker", "done");
        (await run.GetJsonAsync(api, "/accounts/acc-1", ct)).GetProperty("balance").GetInt64().Should().Be(251);
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_poison_job_lands_in_the_DLQ_at_once_with_its_reason(string backend)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, Backend.PostgresFor(backend), ct);
        var api = await run.StartAsync("api", "api-1");
        await run.StartAsync("jobs", "jobs-1");
        (await run.PostAsync(api, "/jobs", new { account = "acc-1", amount = -5, transactionId = "tx-poison" }, ct)).StatusCode.Should().Be(HttpStatusCode.Accepted);
        await KafkaTestProducer.ProduceAsync(fixture.Kafka.BootstrapServers, run.Prefix + "jobs", "x", "{garbage");

        var job = await WaitJobStateAsync(run, api, "tx-poison", "dead");
        job.GetProperty("reason").GetString().Should().Contain("amount must be positive");
        job.GetProperty("attempts").GetArrayLength().Should().Be(0, "a permanent error is not retried");
        JsonElement dlq = default;
        await MessagingDefectTests.WaitUntilAsync(async () => (dlq = await run.GetJsonAsync(api, "/dlq")).GetArrayLength() >= 2, TimeSpan.FromSeconds(30), run.Logs);
        dlq.EnumerateArray().Select(e => e.GetProperty("reason").GetString()).Should().Contain(r => r!.Contains("malformed JSON")).And.Contain(r => r!.Contains("amount must be positive"));
        (await run.GetJsonAsync(api, "/accounts/acc-1", ct)).GetProperty("balance").GetInt64().Should().Be(0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Retries_back_off_exponentially_with_jitter_unless_retry_without_backoff_is_on(bool defect)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        string[] args = ["--downstream-failure-rate", "1", "--job-retries", "5", "--job-retry-base-ms", "50"];
        await run.StartAsync("jobs", "jobs-1", defect ? [.. args, "--defect", "retry-without-backoff"] : args);
        await run.PostAsync(api, "/jobs", new { account = "acc-1", amount = 10, transactionId = "tx-r" }, ct);

        var job = await WaitJobStateAsync(run, api, "tx-r", "dead");
        job.GetProperty("reason").GetString().Should().Contain("retry budget exhausted after 6 attempts");
        var at = job.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("atMs").GetInt64()).ToList();
        at.Should().HaveCount(6);
        var gaps = at.Zip(at.Skip(1), (a, b) => b - a).ToList();
        if (defect)
        {
            // Noise (a busy machine, JIT on the first attempts) only adds delay, so judge by the median gap.
            gaps.Order().ElementAt(gaps.Count / 2).Should().BeLessThan(60, $"no backoff: attempts back to back (gaps {string.Join(",", gaps)})");
        }
        else
        {
            // Nominal delays 50, 100, 200, 400, 800 ms with decorrelated jitter: well spread, and not all equal.
            (at[^1] - at[0]).Should().BeGreaterThan(500, $"gaps {string.Join(",", gaps)}");
            gaps.Distinct().Should().HaveCountGreaterThan(1);
        }

        (await run.GetJsonAsync(api, "/dlq", ct)).GetArrayLength().Should().Be(1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Non_atomic_effect_double_credits_when_the_worker_crashes_between_effect_and_record(bool defect)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        string[] crash = ["--failpoint", "jobs.after-effect-before-commit=crash@1"];
        var jobs = await run.StartAsync("jobs", "jobs-1", defect ? [.. crash, "--defect", "non-atomic-effect"] : crash);
        await run.PostAsync(api, "/jobs", new { account = "acc-1", amount = 100, transactionId = "tx-1" }, ct);
        await jobs.Exited.WaitAsync(TimeSpan.FromSeconds(60), ct);

        await run.StartAsync("jobs", "jobs-2", defect ? ["--defect", "non-atomic-effect"] : []);
        await run.PostAsync(api, "/jobs", new { account = "acc-1", amount = 1, transactionId = "tx-marker" }, ct);
        await WaitJobStateAsync(run, api, "tx-marker", "done");
        (await run.GetJsonAsync(api, "/accounts/acc-1", ct)).GetProperty("balance").GetInt64().Should().Be(defect ? 201 : 101);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task No_dlq_drops_a_failed_job_without_a_trace_in_the_DLQ(bool defect)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        await run.StartAsync("jobs", "jobs-1", defect ? ["--defect", "no-dlq"] : []);
        await run.PostAsync(api, "/jobs", new { account = "acc-1", amount = 0, transactionId = "tx-bad" }, ct);
        var job = await WaitJobStateAsync(run, api, "tx-bad", defect ? "failed" : "dead");
        (await run.GetJsonAsync(api, "/dlq", ct)).GetArrayLength().Should().Be(defect ? 0 : 1);
        _ = job;
    }

    [Fact]
    public async Task With_an_outside_downstream_the_worker_calls_it_once_per_attempt_claiming_its_attempt_number()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var provider = await DownstreamProvider.StartAsync(new DownstreamProviderOptions { Seed = 1 }, ct);
        provider.Configure(new DownstreamConditions(1, TimeSpan.Zero));
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var (api, jobs) = await StartApiAndJobsAsync(run, provider);
        await run.PostAsync(api, "/jobs", new { account = "acc-1", amount = 10, transactionId = "tx-d" }, ct);

        var job = await WaitJobStateAsync(run, api, "tx-d", "dead");

        // the provider answers 500, 502, 503 in turn: each is retried, none taken for a refusal
        job.GetProperty("reason").GetString().Should().StartWith("retry budget exhausted after 3 attempts: downstream answered 503");
        provider.Calls.Where(c => c.Job == "tx-d").Select(c => (c.Attempt, c.Txn, c.Instance, c.Outcome, c.Status)).Should().Equal(
            (1, "tx-d", "jobs-1", CallValue.Fail, 500), (2, "tx-d", "jobs-1", CallValue.Fail, 502), (3, "tx-d", "jobs-1", CallValue.Fail, 503));
        job.GetProperty("attempts").EnumerateArray().Select(a => (a.GetProperty("attempt").GetInt32(), a.GetProperty("outcome").GetString()!.Split(':')[0]))
            .Should().Equal((1, "transient"), (2, "transient"), (3, "transient"));
        // the simulated dependency's admin endpoint does not pretend to configure an outside one
        (await run.PostAsync(jobs, "/admin/downstream", new { failureRate = 0 }, ct)).StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    /// <summary>
    /// A provider that closes every connection unread is a transient failure like a 503: the worker retries within its
    /// budget and dead-letters the job, and lives on. Regression: a connection closed while .NET's handler connected
    /// can surface as a bare SocketException (ENOTCONN), which the worker did not catch — the first run of
    /// downstream-down stopped a jobs process (jobs.worker.fatal).
    /// </summary>
    [Fact]
    public async Task An_unreachable_downstream_is_transient_the_job_is_dead_lettered_and_the_worker_lives_on()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var provider = await DownstreamProvider.StartAsync(new DownstreamProviderOptions { Seed = 1 }, ct);
        provider.Configure(new DownstreamConditions(0, TimeSpan.Zero, Unreachable: true));
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var (api, jobs) = await StartApiAndJobsAsync(run, provider);
        await run.PostAsync(api, "/jobs", new { account = "acc-1", amount = 10, transactionId = "tx-u" }, ct);

        var job = await WaitJobStateAsync(run, api, "tx-u", "dead");

        job.GetProperty("reason").GetString().Should().StartWith("retry budget exhausted after 3 attempts: downstream unreachable");
        provider.Calls.Should().NotContain(c => c.Job == "tx-u", "a call on a closed connection is never received");
        provider.DroppedCount.Should().BeGreaterThanOrEqualTo(3);
        jobs.HasExited.Should().BeFalse($"an unreachable downstream is a failure path, not the end of the process\n{run.Logs()}");
    }

    /// <summary>A refusal for good (422) is not retried: one call, the job dead-lettered with the refusal as its reason.</summary>
    [Fact]
    public async Task A_downstream_refusal_is_permanent_one_call_and_the_job_is_dead_lettered_with_it()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var provider = await DownstreamProvider.StartAsync(new DownstreamProviderOptions { Seed = 1 }, ct);
        provider.Configure(new DownstreamConditions(0, TimeSpan.Zero, RefusalRate: 1));
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var (api, _) = await StartApiAndJobsAsync(run, provider);
        await run.PostAsync(api, "/jobs", new { account = "acc-1", amount = 10, transactionId = "tx-p" }, ct);

        var job = await WaitJobStateAsync(run, api, "tx-p", "dead");

        job.GetProperty("reason").GetString().Should().Be("downstream refused the call: 422");
        provider.Calls.Where(c => c.Job == "tx-p").Select(c => (c.Attempt, c.Outcome)).Should().Equal((1, CallValue.Refused));
    }

    /// <summary>
    /// Regression: the worker kept a job's attempt count in memory, so a job redelivered after its worker died
    /// mid-retry started again at attempt 1 with a fresh budget (and a fresh backoff) — the provider saw up to twice
    /// the budget. Now each attempt is reserved in the store before the call and a redelivery continues the count.
    /// </summary>
    [Fact]
    public async Task An_attempt_count_no_longer_restarts_when_a_job_is_redelivered_mid_retry()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var provider = await DownstreamProvider.StartAsync(new DownstreamProviderOptions { Seed = 1 }, ct);
        provider.Configure(new DownstreamConditions(1, TimeSpan.Zero));
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        string[] args = ["--downstream", provider.Address.ToString(), "--job-retries", "3", "--job-retry-base-ms", "1000"];
        var first = await run.StartAsync("jobs", "jobs-1", args);
        await run.PostAsync(api, "/jobs", new { account = "acc-1", amount = 10, transactionId = "tx-r" }, ct);
        // attempt 3 waits at least 1 s after attempt 2 (base 1000 ms × 2 × at least 0.5): kill the worker in that wait
        await MessagingDefectTests.WaitUntilAsync(() => provider.Calls.Count(c => c.Job == "tx-r") >= 2, TimeSpan.FromSeconds(60), run.Logs);
        await first.KillAsync();
        provider.Calls.Count(c => c.Job == "tx-r").Should().Be(2);

        await run.StartAsync("jobs", "jobs-2", args);
        var job = await WaitJobStateAsync(run, api, "tx-r", "dead");

        var calls = provider.Calls.Where(c => c.Job == "tx-r").ToList();
        calls.Select(c => (c.Attempt, c.Instance)).Should().Equal((1, "jobs-1"), (2, "jobs-1"), (3, "jobs-2"), (4, "jobs-2"));
        job.GetProperty("reason").GetString().Should().StartWith("retry budget exhausted after 4 attempts");
    }

    /// <summary>An api and one jobs worker calling <paramref name="provider"/>: a budget of 3 attempts, 20 ms base backoff.</summary>
    private static async Task<(SutProcess Api, SutProcess Jobs)> StartApiAndJobsAsync(SystemRun run, DownstreamProvider provider) =>
        (await run.StartAsync("api", "api-1"),
         await run.StartAsync("jobs", "jobs-1", "--downstream", provider.Address.ToString(), "--job-retries", "2", "--job-retry-base-ms", "20"));

    private static async Task<JsonElement> WaitJobStateAsync(SystemRun run, SutProcess api, string key, string state)
    {
        JsonElement job = default;
        await MessagingDefectTests.WaitUntilAsync(async () =>
        {
            try
            {
                job = await run.GetJsonAsync(api, $"/jobs/{key}");
                return job.GetProperty("state").GetString() == state;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), () => $"job {key} is {(job.ValueKind == JsonValueKind.Object ? job.GetProperty("state").GetString() : "?")}, expected {state}\n{run.Logs()}");
        return job;
    }
}
