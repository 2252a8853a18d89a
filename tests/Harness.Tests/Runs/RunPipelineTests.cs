using Chaos.Harness.Checkers;
using Chaos.Harness.Runs;
using Chaos.Harness.Workload;

namespace Chaos.Harness.Tests.Runs;

/// <summary>What a run's history is judged by (<see cref="RunPipeline.CheckOptionsFor"/>).</summary>
public sealed class RunPipelineTests
{
    private sealed class RequiresEverything : Scenario
    {
        public override string Name => "requires-everything";

        public override string Description => "test scenario";

        public override CheckOptions CheckOptions => new()
        {
            LatencySlos = [LatencyThreshold.Parse("steady:p99=1s")],
            RequiredPromises = PromiseNames.All,
        };
    }

    [Fact]
    public void CheckOptionsFor_RunWithJobs_KeepsTheScenariosRequirements()
    {
        var options = RunPipeline.CheckOptionsFor(new RequiresEverything(), new ChatWorkloadOptions { JobRate = 5 });

        options.RequiredPromises.Should().Equal(PromiseNames.All);
    }

    [Fact]
    public void CheckOptionsFor_RunToldToSubmitNoJobs_WaivesOnlyTheJobPromises()
    {
        var options = RunPipeline.CheckOptionsFor(new RequiresEverything(), new ChatWorkloadOptions { JobRate = 0 });

        options.RequiredPromises.Should().Equal(
            PromiseNames.NoLoss, PromiseNames.NoDuplicates, PromiseNames.OnlyWhatWasSent, PromiseNames.PerUserOrdering, PromiseNames.LatencySlo, PromiseNames.Availability);
        options.LatencySlos.Should().Equal(LatencyThreshold.Parse("steady:p99=1s"));
    }

    [Fact]
    public void CheckOptionsFor_RunWithItsOwnSlos_JudgesLatencyByThemAndKeepsTheRest()
    {
        var options = RunPipeline.CheckOptionsFor(
            new RequiresEverything(), new ChatWorkloadOptions { JobRate = 5 }, [LatencyThreshold.Parse("p99=20s")]);

        options.LatencySlos.Should().Equal(LatencyThreshold.Parse("p99=20s"));
        options.RequiredPromises.Should().Equal(PromiseNames.All);
    }
}
