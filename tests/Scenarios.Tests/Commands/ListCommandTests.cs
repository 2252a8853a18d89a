using System.Text.Json;
using Chaos.Scenarios.Catalog;
using Chaos.Scenarios.Commands;
using Chaos.Scenarios.Tests.Check;
using Chaos.Scenarios.Verify;

namespace Chaos.Scenarios.Tests.Commands;

/// <summary><c>chaos list --json</c>, read as a CI job that shards a suite into a matrix would read it.</summary>
public sealed class ListCommandTests
{
    [Fact]
    public async Task ListJson_FromTheRealCli_ListsEveryScenarioSuiteRunAndDefect()
    {
        var ct = TestContext.Current.CancellationToken;

        var outcome = await ChaosCli.RunAsync(TimeSpan.FromSeconds(60), ct, "list", "--json");

        outcome.ExitCode.Should().Be(0, outcome.Stderr);
        using var document = JsonDocument.Parse(outcome.Stdout);
        var root = document.RootElement;
        root.GetProperty("format").GetString().Should().Be(ListCommand.FormatName);
        root.GetProperty("version").GetInt32().Should().Be(1);

        var scenarios = root.GetProperty("scenarios").EnumerateArray().ToList();
        scenarios.Select(s => s.GetProperty("name").GetString()).Should().Equal(ScenarioCatalog.Everything.Select(s => s.Name));
        scenarios.Where(s => s.GetProperty("exploratory").GetBoolean()).Select(s => s.GetProperty("name").GetString()).Should().Equal("random-mix", "system-mix");
        var crash = scenarios.Single(s => s.GetProperty("name").GetString() == "service-crash");
        crash.GetProperty("faults").EnumerateArray().Should().NotBeEmpty("service-crash kills processes");
        crash.GetProperty("faults").EnumerateArray().Should().OnlyContain(f => f.GetProperty("targets").GetArrayLength() > 0);
        crash.GetProperty("catches").EnumerateArray().Select(e => e.GetString()).Should().Contain("ack-before-persist");
        scenarios.Single(s => s.GetProperty("name").GetString() == "steady-state").GetProperty("faults").GetArrayLength().Should().Be(0);

        var suites = root.GetProperty("suites").EnumerateArray().ToList();
        suites.Select(s => s.GetProperty("name").GetString()).Should().Equal(ScenarioCatalog.Suites.Keys);
        foreach (var suite in suites)
        {
            var definition = ScenarioCatalog.Suites[suite.GetProperty("name").GetString()!];
            var runs = suite.GetProperty("runs").EnumerateArray().ToList();
            runs.Should().HaveCount(ScenarioCatalog.ScenariosOf(definition).Count * definition.Seeds);
            runs.Any(r => r.GetProperty("scenario").GetString() == "random-mix").Should().Be(definition.Name == "nightly", "only the nightly suite runs the exploratory scenarios");
            runs.Select(r => (r.GetProperty("scenario").GetString(), r.GetProperty("seed").GetInt64())).Should().OnlyHaveUniqueItems();
            runs.Should().OnlyContain(r => r.GetProperty("command").GetString()!.StartsWith($"chaos run {r.GetProperty("scenario").GetString()} --seed {r.GetProperty("seed").GetInt64()} --duration ", StringComparison.Ordinal));
        }

        var smokeRun = suites.Single(s => s.GetProperty("name").GetString() == "smoke").GetProperty("runs")[0];
        smokeRun.GetProperty("duration").GetString().Should().Be("10s");
        smokeRun.GetProperty("command").GetString().Should().Be($"chaos run {ScenarioCatalog.All[0].Name} --seed 1 --duration 10s");

        var defects = root.GetProperty("defects").EnumerateArray().ToList();
        defects.Select(d => d.GetProperty("name").GetString()).Should().Equal(RunCommand.KnownDefects);
        foreach (var expectation in DetectionMatrix.Expectations)
        {
            var caught = defects.Single(d => d.GetProperty("name").GetString() == expectation.Defect).GetProperty("caughtBy").EnumerateArray().ToList();
            caught.Select(c => c.GetProperty("scenario").GetString()).Should().Contain(expectation.Scenario);
            caught.Select(c => c.GetProperty("command").GetString()).Should().Contain($"chaos run {expectation.Scenario} --defect {expectation.Defect}");
        }

        root.GetProperty("faultKinds").EnumerateArray().Select(f => f.GetString()).Should()
            .BeInAscendingOrder(StringComparer.Ordinal).And.Contain(crash.GetProperty("faults")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void ListJson_IsTheSameBytesEveryTime()
    {
        ListCommand.Json().Should().Equal(ListCommand.Json());
    }

    [Fact]
    public async Task List_WithoutJson_PrintsTheTable()
    {
        var ct = TestContext.Current.CancellationToken;

        var outcome = await ChaosCli.RunAsync(TimeSpan.FromSeconds(60), ct, "list");

        outcome.ExitCode.Should().Be(0, outcome.Stderr);
        outcome.Stdout.Should().StartWith("Scenarios:").And.Contain("Suites:").And.Contain("steady-state");
    }
}
