using Chaos.Harness.Coverage;
using Chaos.Scenarios.Tests.Check;

namespace Chaos.Scenarios.Tests.Commands;

/// <summary><c>chaos coverage</c> from the real CLI: the table over a folder of runs, and exit 2 on a folder that holds none.</summary>
public sealed class CoverageCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("chaos-cov-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Coverage_OverAFolderOfRuns_PrintsEveryPathWithTheScenariosThatReachedIt()
    {
        var ct = TestContext.Current.CancellationToken;
        var run = Directory.CreateDirectory(Path.Combine(_root, "broker-outage-1")).FullName;
        await File.WriteAllTextAsync(Path.Combine(run, "results.json"), "{\"scenario\":\"broker-outage\"}", ct);
        await new FailurePathReport(
            [new FailurePathCount("api.outbox.produce-failed", "api", "a produce failed", 12), new FailurePathCount("jobs.dead-letter", "jobs", "budget spent", 0)], 4, [])
            .SaveAsync(run, ct);
        var written = Path.Combine(_root, "coverage.md");

        var outcome = await ChaosCli.RunAsync(TimeSpan.FromSeconds(60), ct, "coverage", _root, "--out", written);

        outcome.ExitCode.Should().Be(0, outcome.Stderr);
        outcome.Stdout.Should().Contain("**1 of 2 failure paths reached** by 1 run(s) of 1 scenario(s): broker-outage.")
            .And.Contain("| `api.outbox.produce-failed` | api | broker-outage (12) |")
            .And.Contain("| `jobs.dead-letter` | jobs | **not reached** |");
        (await File.ReadAllTextAsync(written, ct)).Should().Be(outcome.Stdout);
    }

    [Fact]
    public async Task Coverage_OfAFolderWithNoRun_ExitsTwoSayingWhatItLookedFor()
    {
        var ct = TestContext.Current.CancellationToken;

        var outcome = await ChaosCli.RunAsync(TimeSpan.FromSeconds(60), ct, "coverage", _root);

        outcome.ExitCode.Should().Be(2);
        outcome.Stderr.Should().Contain($"no run under {_root} wrote failure-paths.json");
    }
}
