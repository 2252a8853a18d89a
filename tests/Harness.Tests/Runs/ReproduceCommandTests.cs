using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Runs;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Tests.Runs;

public sealed class ReproduceCommandTests
{
    private static readonly RunOptions Defaults = new() { OutputDirectory = "/tmp/r1", Seed = 42 };

    [Fact]
    public void For_GeneratedSchedule_RunsTheScenarioWithEverySettingThatShapedIt()
    {
        var options = Defaults with
        {
            Ramp = TimeSpan.FromSeconds(2),
            Warmup = TimeSpan.FromMilliseconds(1500),
            Workload = Defaults.Workload with { Rate = 30.5, JobRate = 0, Users = 4, Devices = 3, MaxRecipients = 2 },
            Defects = ["notifier-no-dedupe", "api-no-idempotency"],
        };

        ReproduceCommand.For("service-crash", options, TimeSpan.FromSeconds(12)).Should().Be(
            "chaos run service-crash --seed 42 --duration 12s --ramp 2s --warmup 1500ms --rate 30.5 --job-rate 0 --users 4 --devices 3 " +
            "--max-recipients 2 --defect notifier-no-dedupe --defect api-no-idempotency");
    }

    [Fact]
    public void For_GivenSchedule_ReplaysTheScheduleTheRunSaved()
    {
        var options = Defaults with
        {
            Schedule = new FaultSchedule([]),
            Topology = TopologyKind.Containers,
            AllowRemote = true,
        };

        ReproduceCommand.For("websocket-cut", options, TimeSpan.FromSeconds(30)).Should().StartWith(
            "chaos replay /tmp/r1/schedule.json --scenario websocket-cut --seed 42 --duration 30s ")
            .And.EndWith(" --topology containers --allow-remote");
    }

    [Fact]
    public void For_Postgres_NeverWritesTheConnectionString()
    {
        var options = Defaults with { Postgres = "Host=db;Username=u;Password=s3cret" };

        var command = ReproduceCommand.For("steady-state", options, TimeSpan.FromSeconds(10));

        command.Should().NotContain("s3cret").And.EndWith("--postgres '<connection string>'");
    }

    [Fact]
    public void For_ASystemFile_NamesItAndLeavesToItWhatItSaid()
    {
        var file = new Chaos.Harness.Deployment.SystemDescription { Source = "/srv/mine/chaos.system.yaml", System = "mine", Adapter = "/srv/mine/bin/Mine.dll", KafkaBootstrap = "127.0.0.1:9092" };
        var options = Defaults with { SystemFile = file, KafkaBootstrap = "127.0.0.1:9092", Topology = TopologyKind.Containers };

        var command = ReproduceCommand.For("steady-state", options, TimeSpan.FromSeconds(10));

        command.Should().EndWith("--system /srv/mine/chaos.system.yaml --topology containers")
            .And.NotContain("--kafka-bootstrap", "the file says where Kafka is; saying it again is refused as said twice");
        ReproduceCommand.For("steady-state", options with { SystemFile = file with { System = "reference", Adapter = null } }, TimeSpan.FromSeconds(10))
            .Should().NotContain("--system").And.Contain("--kafka-bootstrap 127.0.0.1:9092", "the reference system's file says nothing a flag cannot: its line reruns without the file");
    }

    [Theory]
    [InlineData("steady-state", "steady-state")]
    [InlineData("/tmp/a b/schedule.json", "'/tmp/a b/schedule.json'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("", "''")]
    [InlineData("$(rm -rf ~)", "'$(rm -rf ~)'")]
    public void Quote_IsPosixShellQuoting(string arg, string quoted) =>
        ReproduceCommand.Quote(arg).Should().Be(quoted);

    [Theory]
    [InlineData(10_000, "10s")]
    [InlineData(1_500, "1500ms")]
    [InlineData(0, "0s")]
    public void Duration_IsWrittenAsTheOptionsReadIt(int ms, string text) =>
        ReproduceCommand.Duration(TimeSpan.FromMilliseconds(ms)).Should().Be(text);
}
