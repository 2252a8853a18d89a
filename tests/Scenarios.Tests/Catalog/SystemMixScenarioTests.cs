using Chaos.Harness.Deployment;
using Chaos.Harness.Faults.Process;
using Chaos.Harness.Faults.Schedule;
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
    public void A_node_is_left_alone_while_a_fault_starts_it_again()
    {
        var reference = ReferenceSystemAdapter.Instance.ShapeFor(new SystemRequirements());
        string[] process = [ProcessFaultNames.Kill, ProcessFaultNames.Terminate, ProcessFaultNames.Restart, ProcessFaultNames.Pause];

        var pairs = 0;
        foreach (var shape in new[] { OneNode, reference })
        {
            foreach (var seed in Enumerable.Range(1, 30))
            {
                var byNode = Scenario.BuildSchedule(seed, TimeSpan.FromSeconds(40), shape).Entries.Where(e => process.Contains(e.Fault)).GroupBy(e => e.Target);
                foreach (var node in byNode)
                {
                    var next = node.Zip(node.Skip(1)).ToList();
                    pairs += next.Count;
                    next.Where(p => p.First.Fault != ProcessFaultNames.Pause && p.Second.At < p.First.At + (p.First.Duration ?? TimeSpan.Zero) + SystemMixScenario.NodeRecovery)
                        .Should().BeEmpty($"seed {seed}: a fault on {node.Key} while its kill's, terminate's or restart's start is under way would cut that start");
                }
            }
        }

        pairs.Should().BeGreaterThan(30, "nodes are hit more than once, so the rule was put to the test");
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

    [Fact]
    public void It_took_effect_only_when_every_planned_fault_took_hold_the_nodes_came_back_and_the_devices_reconnected()
    {
        var schedule = Scenario.BuildSchedule(1, TimeSpan.FromSeconds(20), OneNode);
        var held = schedule.Entries.Select(e => (e.At, true)).ToList();
        var first = schedule.Entries[0];

        schedule.Entries.Should().NotBeEmpty("twenty seconds draw faults");
        SystemMixScenario.Explain(schedule, held, null, []).Should().BeNull("everything planned took hold");
        SystemMixScenario.Explain(schedule, [.. held.Skip(1)], null, []).Should().Be(
            $"{first.Fault} on {first.Target} at {DurationText.Format(first.At)} did not take hold");
        SystemMixScenario.Explain(schedule, [(first.At, false), .. held.Skip(1)], null, []).Should().Contain("did not take hold", "a try that was refused is no proof");
        SystemMixScenario.Explain(schedule, held, "process-kill on chat-1: killed; down", []).Should().Be("process-kill on chat-1: killed; down");
        SystemMixScenario.Explain(schedule, held, null, ["u1/d1"]).Should().Contain("1 device(s) were not connected again");
        SystemMixScenario.Explain(new FaultSchedule([], TimeSpan.FromSeconds(20)), [], null, []).Should().Contain("drew no fault", "a run without faults proves nothing of them");
    }
}
