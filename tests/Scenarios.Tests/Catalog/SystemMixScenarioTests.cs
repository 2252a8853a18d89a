using Chaos.Harness.Deployment;
using Chaos.Harness.Faults.Process;
using Chaos.Reference.Adapter;
using Chaos.Scenarios.Catalog;

namespace Chaos.Scenarios.Tests.Catalog;

/// <summary>
/// system-mix (and broker-outage's script) draw their faults from the system's own shape: a system of one node and one topic gets schedules naming
/// that node and that topic's partitions, never the reference system's, and incident files are checked against the
/// same names. (Its runs against the wschat sample: tests/Scenarios.Tests/Samples/WsChatSampleTests.)
/// </summary>
public sealed class SystemMixScenarioTests
{
    private static readonly SystemShape OneNode = new()
    {
        Roles = new Dictionary<string, IReadOnlyList<string>> { ["chat"] = ["chat-1"] },
        DeviceRole = "chat",
        Topics = [new KafkaTopic("messages", 4)],
        ConsumerGroups = [new KafkaConsumerGroup("chat", "inbox", "messages")],
        Brokers = 2,
    };

    private static readonly SystemMixScenario Scenario = (SystemMixScenario)ScenarioCatalog.Find("system-mix")!;

    [Fact]
    public void Its_schedules_name_only_the_systems_own_nodes_brokers_partitions_and_groups()
    {
        var targets = Enumerable.Range(1, 20).SelectMany(seed => Scenario.BuildSchedule(seed, TimeSpan.FromSeconds(60), OneNode).Entries).Select(e => e.Target).ToHashSet();

        targets.Should().BeSubsetOf(["chat-1", "broker-1", "broker-2", "messages/0", "messages/1", "messages/2", "messages/3", "inbox"])
            .And.Contain(["chat-1", "broker-1", "inbox"], "every family is drawn over twenty seeds");
    }

    [Fact]
    public void The_same_seed_and_shape_give_the_same_schedule_and_another_shape_another()
    {
        var reference = ReferenceSystemAdapter.Instance.ShapeFor(new SystemRequirements());

        Scenario.BuildSchedule(7, TimeSpan.FromSeconds(40), OneNode).Entries.Should().Equal(Scenario.BuildSchedule(7, TimeSpan.FromSeconds(40), OneNode).Entries);
        Scenario.BuildSchedule(7, TimeSpan.FromSeconds(40), reference).Entries.Select(e => e.Target)
            .Should().Contain(t => t.StartsWith("notifier-", StringComparison.Ordinal) || t.StartsWith("api-", StringComparison.Ordinal) || t.StartsWith("gateway-", StringComparison.Ordinal) || t.StartsWith("jobs-", StringComparison.Ordinal));
    }

    [Fact]
    public void Broker_outage_scripts_its_timeline_on_the_systems_own_brokers_partitions_and_groups()
    {
        var outage = ScenarioCatalog.Find("broker-outage")!;

        var onOneNode = outage.BuildSchedule(3, TimeSpan.FromSeconds(30), OneNode).Entries;
        var onReference = outage.BuildSchedule(3, TimeSpan.FromSeconds(30)).Entries;

        onOneNode.Select(e => e.Fault).Should().Equal(onReference.Select(e => e.Fault), "the same script");
        onOneNode.Where(e => e.Fault == KafkaFaultFactory.LeaderMove).Select(e => e.Target).Should().OnlyContain(t => t.StartsWith("messages/", StringComparison.Ordinal));
        onOneNode.Where(e => e.Fault == KafkaFaultFactory.CoordinatorMove).Select(e => e.Target).Should().OnlyContain(t => t == "inbox");
        onOneNode.Where(e => e.Fault == KafkaFaultFactory.BrokerDown).Select(e => e.Target).Should().OnlyContain(t => t == "broker-1" || t == "broker-2");
        onReference.Where(e => e.Fault == KafkaFaultFactory.CoordinatorMove).Select(e => e.Target).Should().Equal("notifier", "jobs");
        onReference.Where(e => e.Fault == KafkaFaultFactory.LeaderMove).Select(e => e.Target).Should().OnlyContain(t => t.StartsWith("fanout/", StringComparison.Ordinal));
        outage.CatalogueOn(OneNode).TargetsOf(KafkaFaultFactory.LeaderMove).Should().Equal("messages/0", "messages/1", "messages/2", "messages/3");
    }

    [Fact]
    public void An_incident_is_checked_against_the_shape_it_runs_on()
    {
        var catalogue = Scenario.CatalogueOn(OneNode);

        catalogue.TargetsOf(ProcessFaultNames.Kill).Should().Equal("chat-1");
        catalogue.TargetsOf(KafkaFaultFactory.LeaderMove).Should().Equal("messages/0", "messages/1", "messages/2", "messages/3");
        catalogue.IsKnownFault(ProcessFaultNames.Failpoint).Should().BeFalse("a mix any system takes has no failpoint");
        Scenario.Catalogue.TargetsOf(ProcessFaultNames.Kill).Should().Contain("notifier-1", "chaos list shows it on the reference system");
    }
}
