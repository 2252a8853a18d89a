using Chaos.Harness.Checkers;
using Chaos.Scenarios.Catalog;

namespace Chaos.Scenarios.Tests.Catalog;

/// <summary>Every scenario names the promises its history must exercise (docs/scenarios.md): a run that observed
/// nothing for one of them ends unknown, never valid.</summary>
public sealed class ScenarioRequirementsTests
{
    public static TheoryData<string> Scenarios => new(ScenarioCatalog.All.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void Every_scenario_requires_the_delivery_jobs_and_latency_promises_its_load_always_exercises(string name)
    {
        var options = ScenarioCatalog.Find(name)!.CheckOptions;

        options.RequiredPromises.Should().OnlyContain(p => PromiseNames.IsKnown(p));
        options.RequiredPromises.Should().Contain([.. PromiseNames.Delivery, PromiseNames.JobsExactlyOnce, PromiseNames.LatencySlo]);
        options.LatencySlos.Should().NotBeEmpty("latency-slo is required, so an SLO must be set");
        CheckOptionsFile.Parse(CheckOptionsFile.ToJson(options)).RequiredPromises.Should().Equal(options.RequiredPromises,
            "chaos check on the saved run requires the same");
    }

    [Fact]
    public void Only_job_retry_storm_requires_retries()
    {
        ScenarioCatalog.All.Where(s => s.CheckOptions.RequiredPromises.Contains(PromiseNames.RetriesWithinBackoff)).Select(s => s.Name)
            .Should().Equal("job-retry-storm");
        ScenarioCatalog.Find("job-retry-storm")!.CheckOptions.RequiredPromises.Should().Equal(PromiseNames.All);
    }
}
