using System.Net;
using System.Text.Json;
using Chaos.Reference.Observability;
using Chaos.Reference.Tests.Support;

namespace Chaos.Reference.Tests;

/// <summary>
/// The failure-path probes (docs/failure-paths.md): a node started with --failure-paths writes every declared path,
/// reached or not, and counts the branches it ran — here a real 429 of a real api process.
/// </summary>
public sealed class FailurePathTests(MockKafkaFixture fixture)
{
    [Fact]
    public async Task A_node_writes_every_declared_path_and_counts_the_failure_branch_it_ran()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var directory = Path.Combine(run.Directory, "failure-paths");
        var api = await run.StartAsync("api", "api-1", "--fanout-rate-limit", "2", "--failure-paths", directory);
        await run.TokenAsync(api, "alice");
        await run.TokenAsync(api, "bob");
        object Message(string id) => new { id, idempotencyKey = id, to = new[] { "alice", "bob" }, body = "hi" };

        using (var first = await run.PostAsUserAsync(api, "sender", "/messages", Message("f1"), ct))
        {
            first.StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        using (var second = await run.PostAsUserAsync(api, "sender", "/messages", Message("f2"), ct))
        {
            second.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the fan-out budget of 2 rows is spent");
        }

        // the file is rewritten within a second of a count changing
        Dictionary<string, long> hits = [];
        for (var attempt = 0; attempt < 50 && hits.GetValueOrDefault(FailurePaths.ShedFanoutLimit.Name) == 0; attempt++)
        {
            await Task.Delay(100, ct);
            hits = ReadHits(directory, "api-1", "api");
        }

        hits.Keys.Should().BeEquivalentTo(FailurePaths.All.Select(p => p.Name), "every declared path is written, reached or not");
        hits[FailurePaths.ShedFanoutLimit.Name].Should().Be(1);
        hits.Where(h => h.Key != FailurePaths.ShedFanoutLimit.Name).Should().OnlyContain(h => h.Value == 0, "nothing else failed");
        FailurePaths.All.Should().HaveCountGreaterThan(30).And.OnlyHaveUniqueItems(p => p.Name);
    }

    /// <summary>The hits one node wrote into its failure-path file (empty until the file is there).</summary>
    internal static Dictionary<string, long> ReadHits(string directory, string instance, string role)
    {
        var files = Directory.Exists(directory) ? Directory.GetFiles(directory, $"{instance}.*.json") : [];
        if (files.Length != 1)
        {
            return [];
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(files[0]));
        document.RootElement.GetProperty("format").GetString().Should().Be(FailurePathFile.Format);
        document.RootElement.GetProperty("role").GetString().Should().Be(role);
        return document.RootElement.GetProperty("paths").EnumerateArray()
            .ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("hits").GetInt64());
    }
}
