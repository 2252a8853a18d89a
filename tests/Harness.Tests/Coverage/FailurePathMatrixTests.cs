using Chaos.Harness.Coverage;

namespace Chaos.Harness.Tests.Coverage;

/// <summary><c>chaos coverage</c>'s table: every declared path, the scenarios that reached it, the ones none did.</summary>
public sealed class FailurePathMatrixTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("chaos-fpm-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Build_SumsHitsPerScenario_AndMarksWhatNoRunReached()
    {
        var matrix = FailurePathMatrix.Build(
        [
            Run("service-crash", ("api.outbox.produce-failed", 2), ("jobs.attempt.transient", 0)),
            Run("service-crash", ("api.outbox.produce-failed", 1), ("jobs.attempt.transient", 0)),
            Run("broker-outage", ("api.outbox.produce-failed", 40), ("jobs.attempt.transient", 0)),
        ]);

        matrix.Reached.Should().Be(1);
        matrix.Scenarios.Should().Equal("broker-outage", "service-crash");
        matrix.Paths.Single(p => p.Name == "api.outbox.produce-failed").HitsByScenario.Should().BeEquivalentTo(
            new Dictionary<string, long> { ["service-crash"] = 3, ["broker-outage"] = 40 });
        var markdown = matrix.ToMarkdown();
        markdown.Should().StartWith("**1 of 2 failure paths reached** by 3 run(s) of 2 scenario(s): broker-outage, service-crash.");
        markdown.Should().Contain("| `api.outbox.produce-failed` | api | broker-outage (40), service-crash (3) |");
        markdown.Should().Contain("| `jobs.attempt.transient` | jobs | **not reached** |");
    }

    [Fact]
    public async Task Collect_FindsEveryRunFolder_TakesItsScenarioFromResults_AndNamesAnUnreadableReport()
    {
        var ct = TestContext.Current.CancellationToken;
        var first = Directory.CreateDirectory(Path.Combine(_root, "suite", "websocket-cut-1")).FullName;
        await Run("ignored", ("gateway.resume.gap-fill", 4)).Report.SaveAsync(first, ct);
        await File.WriteAllTextAsync(Path.Combine(first, "results.json"), "{\"valid\":true,\"scenario\":\"websocket-cut\"}", ct);
        var second = Directory.CreateDirectory(Path.Combine(_root, "suite", "no-results")).FullName;
        await Run("ignored", ("gateway.resume.gap-fill", 0)).Report.SaveAsync(second, ct);
        var broken = Directory.CreateDirectory(Path.Combine(_root, "suite", "broken")).FullName;
        await File.WriteAllTextAsync(Path.Combine(broken, FailurePathReport.FileName), "{", ct);

        var (matrix, problems) = FailurePathMatrix.Collect(_root);

        matrix.Runs.Select(r => r.Scenario).Should().BeEquivalentTo("websocket-cut", "no-results");
        matrix.Paths.Should().ContainSingle().Which.HitsByScenario.Should().BeEquivalentTo(new Dictionary<string, long> { ["websocket-cut"] = 4, ["no-results"] = 0 });
        problems.Should().ContainSingle().Which.Should().Contain("broken");
    }

    private static ScenarioFailurePaths Run(string scenario, params (string Name, long Hits)[] paths) => new(
        scenario,
        "/runs/" + scenario,
        new FailurePathReport([.. paths.Select(p => new FailurePathCount(p.Name, p.Name.Split('.')[0], "handles " + p.Name, p.Hits))], 1, []));
}
