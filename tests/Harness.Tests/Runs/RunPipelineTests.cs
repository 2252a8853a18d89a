using Chaos.Harness.Checkers;
using Chaos.Harness.Deployment;
using Chaos.Harness.Devices;
using Chaos.Harness.Runs;
using Chaos.Harness.Topology;
using Chaos.Harness.Workload;

namespace Chaos.Harness.Tests.Runs;

/// <summary>What a run's history is judged by (<see cref="RunPipeline.CheckOptionsFor"/>), and what it asks of the system before it starts.</summary>
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

    [Fact]
    public async Task RunAsync_AScenarioNeedingARoleTheSystemLacks_IsRefusedBeforeAnythingIsMade()
    {
        var directory = Path.Combine(Path.GetTempPath(), "chaos-refused-" + Guid.NewGuid().ToString("N"));
        var system = new OneRoleSystem();

        var run = () => RunPipeline.RunAsync(new NeedsThreeGateways(), new RunOptions { OutputDirectory = directory, System = system }, null, TestContext.Current.CancellationToken);

        (await run.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("no role 'gateway'");
        system.Deployed.Should().Be(0);
        Directory.Exists(directory).Should().BeFalse("the requirements are checked before the run folder is made");
    }

    private sealed class NeedsThreeGateways : Scenario
    {
        public override string Name => "needs-three-gateways";

        public override string Description => "test scenario";

        public override SystemRequirements ConfigureSystem(SystemRequirements requirements) => requirements.WithInstances("gateway", 3);
    }

    /// <summary>A system with one role, "app": it refuses every other and counts deployments (there must be none).</summary>
    private sealed class OneRoleSystem : ISystemAdapter
    {
        public int Deployed { get; private set; }

        public string Name => "one-role";

        public IReadOnlySet<string> Capabilities { get; } = new HashSet<string>();

        public IDeviceClientFactory Devices => throw new NotSupportedException("no device is made before the requirements are met");

        public void CheckRequirements(SystemRequirements requirements)
        {
            foreach (var role in requirements.Instances.Keys.Where(r => r != "app"))
            {
                throw new ArgumentException($"the one-role system has no role '{role}'", nameof(requirements));
            }
        }

        public SystemShape ShapeFor(SystemRequirements requirements) => throw new NotSupportedException();

        public Task<DeployedSystem> DeployAsync(DeploymentRequest request, ITopology topology, CancellationToken cancellationToken)
        {
            Deployed++;
            throw new NotSupportedException("never deployed in this test");
        }
    }
}
