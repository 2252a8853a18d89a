using Chaos.Harness.Faults.Schedule;
using Chaos.Reference.Adapter;
using Chaos.Scenarios.Catalog;

namespace Chaos.Scenarios.Tests.Catalog;

/// <summary>The Kafka scenarios' took-effect checks and timelines, as pure functions: each check can fail.</summary>
public sealed class KafkaScenarioEvidenceTests
{
    private static readonly RebalanceEvidence Rebalanced = new()
    {
        ScaleOutHeld = true,
        NotifierAssignments = 3,
        JobsScaleInHeld = true,
        JobsAssignments = 2,
        ZombieScheduled = true,
        ZombieFrozenFor = TimeSpan.FromSeconds(9),
        ZombieAssignmentsBefore = 2,
        ZombieAssignmentsAfter = 3,
        SessionTimeout = TimeSpan.FromSeconds(4),
    };

    [Fact]
    public void Rebalance_evidence_of_real_rebalances_passes() => Rebalanced.Explain().Should().BeNull();

    [Fact]
    public void Rebalance_evidence_without_an_assignment_change_says_no_rebalance_happened() =>
        (Rebalanced with { NotifierAssignments = 1 }).Explain().Should().Contain("no rebalance happened");

    [Fact]
    public void A_zombie_frozen_shorter_than_the_session_timeout_is_not_a_zombie() =>
        (Rebalanced with { ZombieFrozenFor = TimeSpan.FromSeconds(2) }).Explain().Should().Contain("session timeout");

    [Fact]
    public void A_zombie_that_woke_without_being_evicted_or_reassigned_fails_the_check()
    {
        (Rebalanced with { ZombieAssignmentsAfter = 2, ZombieLost = 0 }).Explain().Should().Contain("neither told it lost its partitions nor reassigned");
        (Rebalanced with { ZombieAssignmentsAfter = 2, ZombieLost = 1 }).Explain().Should().BeNull("a lost-partitions callback is proof enough");
    }

    [Fact]
    public void The_zombie_description_says_whether_its_group_was_seen_rebalancing_without_it_while_it_was_frozen()
    {
        (Rebalanced with { OthersAssignmentsAtFreeze = 3, OthersAssignmentsAtThaw = 4 }).DescribeZombie("notifier-1")
            .Should().Contain("zombie consumer notifier-1").And.Contain("assigned partitions while it was frozen (3 → 4: seen rebalancing without it)");
        (Rebalanced with { OthersAssignmentsAtFreeze = 3, OthersAssignmentsAtThaw = 3 }).DescribeZombie("notifier-1")
            .Should().Contain("went 3 → 3 while it was frozen (the rebalance without it was not over before the thaw)");
        (Rebalanced with { ZombieScheduled = false }).DescribeZombie("notifier-1").Should().BeNull();
    }

    [Fact]
    public void A_jobs_scale_in_nobody_took_over_fails_the_check() =>
        (Rebalanced with { JobsAssignments = 1 }).Explain().Should().Contain("jobs");

    [Fact]
    public void Replay_evidence_requires_records_replayed_and_every_copy_consumed()
    {
        var consumed = new ReplayEvidence { FanoutReplayed = 120, JobsReplayed = 20, FanoutBehind = 0, JobsBehind = 0, NotifierDedupeHits = 0, JobsDedupeHits = 0 };

        consumed.Explain().Should().BeNull("the system's own dedupe counts are not judged: the groups' committed offsets are");
        (consumed with { FanoutReplayed = 0 }).Explain().Should().Contain("no fan-out record was replayed");
        (consumed with { FanoutBehind = 50 }).Explain().Should().Contain("had not consumed 50 of the fan-out records");
        (consumed with { JobsBehind = 3 }).Explain().Should().Contain("job records were replayed").And.Contain("not consumed 3");
        (consumed with { JobsReplayed = 0, JobsBehind = 3 }).Explain().Should().BeNull("no job was replayed: a jobs backlog is not this fault's");
    }

    [Fact]
    public void Broker_outage_check_fails_when_a_fault_was_refused_or_nothing_flowed_after_the_heal()
    {
        var schedule = new BrokerOutageScenario().BuildSchedule(1, TimeSpan.FromSeconds(30));

        BrokerOutageScenario.Explain(schedule, [], 10, 20, 20).Should().Contain("broker-down was never applied")
            .And.Contain("request-errors on Produce at 27s (non-retriable) did not take hold", "the refusals for good are checked on their own, not by their name");
        var none = new FaultSchedule([], TimeSpan.FromSeconds(30));
        BrokerOutageScenario.Explain(none, [], 10, 10, 10).Should().Contain("no message sent after the faults were healed was acknowledged or reached a device");
        BrokerOutageScenario.Explain(none, [], 10, 11, 10).Should().BeNull("a message sent after the heal reached a device");
        BrokerOutageScenario.Explain(none, [], 10, 9, 11).Should().BeNull("one was acknowledged: whether it arrives is the loss checkers' question, not a took-effect one");
    }

    [Theory]
    [InlineData("kafka-rebalance")]
    [InlineData("broker-outage")]
    [InlineData("duplicate-replay")]
    public async Task The_same_seed_gives_the_same_schedule_file_byte_for_byte_and_it_fits_the_catalogue(string name)
    {
        var scenario = ScenarioCatalog.Find(name)!;
        var dir = Path.Combine(Path.GetTempPath(), "chaos-kafka-schedules", Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            await FaultScheduleFile.SaveAsync(scenario.BuildSchedule(42, scenario.DefaultDuration), Path.Combine(dir, "a.json"), TestContext.Current.CancellationToken);
            await FaultScheduleFile.SaveAsync(scenario.BuildSchedule(42, scenario.DefaultDuration), Path.Combine(dir, "b.json"), TestContext.Current.CancellationToken);

            File.ReadAllBytes(Path.Combine(dir, "a.json")).Should().Equal(File.ReadAllBytes(Path.Combine(dir, "b.json")));
            var schedule = scenario.BuildSchedule(42, scenario.DefaultDuration);
            schedule.Entries.Should().NotBeEmpty().And.OnlyContain(e => e.HealAt == null || e.HealAt <= scenario.DefaultDuration);
            var menu = scenario.Faults!.Items;
            schedule.Entries.Should().OnlyContain(e => menu.Any(i => i.Fault == e.Fault && i.Targets.Contains(e.Target)), "an incident file may name what a schedule names");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Kafka_rebalance_freezes_its_zombie_past_the_session_timeout()
    {
        var scenario = new KafkaRebalanceScenario();
        var session = TimeSpan.FromMilliseconds(ReferenceSystemAdapter.OptionsFor(scenario.ConfigureSystem(new Harness.Deployment.SystemRequirements())).SessionTimeoutMs);

        foreach (var seconds in new[] { 18, 40, 60 })
        {
            var zombie = scenario.BuildSchedule(3, TimeSpan.FromSeconds(seconds)).Entries.Single(e => e.Fault == "zombie-consumer");
            zombie.Duration.Should().BeGreaterThan(2 * session, $"at {seconds}s the zombie must outlive its session and the rebalance after it");
        }
    }
}
