using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chaos.Reference.Tests.Api;
using Chaos.Reference.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Chaos.Reference.Tests;

/// <summary>
/// The api under more load than it takes: a full write queue and an exhausted fan-out budget are answered 429 with
/// Retry-After — explicit, and never persisted — against a real api process on SQLite.
/// </summary>
public sealed class BackpressureTests(MockKafkaFixture fixture)
{
    [Fact]
    public async Task A_full_write_queue_answers_429_with_Retry_After_and_persists_none_of_what_it_refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1", "--write-queue", "1", "--fanout-rate-limit", "0");
        await run.TokenAsync(api, "alice");
        await run.UserTokenAsync(api, "sender");
        var file = run.Db["sqlite:".Length..];

        List<Task<HttpResponseMessage>> posts;
        await using (await WriteQueueTests.HoldWriteLockAsync(file, ct))
        {
            // the writer blocks on the held lock with what it took; the queue holds one more; the rest are refused
            posts = [.. Enumerable.Range(0, 40).Select(i => run.PostAsUserAsync(api, "sender", "/messages", new { id = $"b{i}", idempotencyKey = $"k{i}", to = new[] { "alice" }, body = "hi" }, ct))];
            await Task.WhenAny(posts).WaitAsync(TimeSpan.FromSeconds(20), ct);
            posts.Where(p => p.IsCompleted).Should().OnlyContain(p => p.Result.StatusCode == HttpStatusCode.TooManyRequests, "nothing is accepted before it commits");
        }

        var responses = await Task.WhenAll(posts).WaitAsync(TimeSpan.FromSeconds(60), ct);
        var shed = new List<string>();
        var accepted = new List<string>();
        for (var i = 0; i < responses.Length; i++)
        {
            using var r = responses[i];
            var text = await r.Content.ReadAsStringAsync(ct);
            r.StatusCode.Should().BeOneOf([HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], text);
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                r.Headers.RetryAfter!.Delta.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1));
                JsonDocument.Parse(text).RootElement.GetProperty("error").GetString().Should().Contain("shedding load").And.Contain("write queue is full");
                shed.Add($"b{i}");
            }
            else
            {
                accepted.Add($"b{i}");
            }
        }

        shed.Should().NotBeEmpty();
        accepted.Should().NotBeEmpty();
        (await MessageIdsAsync(file, ct)).Should().BeEquivalentTo(accepted, "every 202 was persisted and no 429 was");
        var metrics = (await run.GetJsonAsync(api, "/metrics", ct)).GetProperty("metrics");
        metrics.GetProperty("counters").GetProperty("refsys.api.shed").GetDouble().Should().Be(shed.Count);
        metrics.GetProperty("counters").GetProperty("refsys.api.write_batches").GetDouble().Should().BeGreaterThanOrEqualTo(1);
        metrics.GetProperty("histograms").GetProperty("refsys.api.write_batch_size").GetProperty("sum").GetDouble().Should().Be(accepted.Count);

        // the queue drained: a retry of a refused write is accepted now, once
        using var retry = await run.PostAsUserAsync(api, "sender", "/messages", new { id = shed[0], idempotencyKey = "k" + shed[0][1..], to = new[] { "alice" }, body = "hi" }, ct);
        retry.StatusCode.Should().Be(HttpStatusCode.Accepted);
        api.Log.Should().NotContain("fail:", "shedding load is not an error of the api");
    }

    [Fact]
    public async Task The_fanout_limit_answers_429_past_its_budget_and_the_write_is_accepted_after_Retry_After()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1", "--fanout-rate-limit", "2");
        await run.TokenAsync(api, "alice");
        await run.TokenAsync(api, "bob");
        var file = run.Db["sqlite:".Length..];
        object Message(string id) => new { id, idempotencyKey = id, to = new[] { "alice", "bob" }, body = "hi" };

        using (var first = await run.PostAsUserAsync(api, "sender", "/messages", Message("f1"), ct))
        {
            first.StatusCode.Should().Be(HttpStatusCode.Accepted, "two rows fit the burst of 2");
        }

        TimeSpan wait;
        using (var second = await run.PostAsUserAsync(api, "sender", "/messages", Message("f2"), ct))
        {
            second.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
            (await second.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("error").GetString().Should().Contain("shedding load: fan-out rate limit");
            wait = second.Headers.RetryAfter!.Delta!.Value;
            wait.Should().Be(TimeSpan.FromSeconds(1), "two rows at 2 rows/s, rounded up to whole seconds");
        }

        (await MessageIdsAsync(file, ct)).Should().Equal("f1");

        // a client that honours Retry-After gets in
        await Task.Delay(wait, ct);
        using (var again = await run.PostAsUserAsync(api, "sender", "/messages", Message("f2"), ct))
        {
            again.StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        (await MessageIdsAsync(file, ct)).Should().BeEquivalentTo(["f1", "f2"]);
        (await run.GetJsonAsync(api, "/metrics", ct)).GetProperty("metrics").GetProperty("counters").GetProperty("refsys.api.shed").GetDouble().Should().Be(1);
    }

    private static async Task<List<string>> MessageIdsAsync(string file, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM messages ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }
}
