using Chaos.Harness.Faults.Kafka;
using Chaos.Harness.Faults.Schedule;
using Chaos.Harness.Kafka;
using Chaos.Scenarios.Catalog;

namespace Chaos.Scenarios.Tests.Catalog;

/// <summary>
/// Kafka faults' schedule parameters are checked when a schedule file is read (an unknown or bad one was silently
/// ignored before), and request-errors' non-retriable kind answers errors no client retries away.
/// </summary>
public sealed class KafkaFaultParameterTests
{
    private static FaultScheduleEntry Entry(string fault, string target, params (string Key, string Value)[] parameters) =>
        new(TimeSpan.Zero, fault, target, TimeSpan.FromSeconds(2), parameters.ToDictionary(p => p.Key, p => p.Value));

    [Theory]
    [InlineData("request-errors", "Produce", "count", "6")]
    [InlineData("request-errors", "Produce", "kind", "non-retriable")]
    [InlineData("request-errors", "Fetch", "kind", "retriable")]
    [InlineData("broker-rtt", "all", "rtt", "150")]
    [InlineData("replay", "fanout", "count", "20")]
    [InlineData("offset-rewind", "notifier", "records", "20")]
    public void Known_parameters_with_good_values_pass(string fault, string target, string key, string value)
    {
        var act = () => KafkaFaultFactory.Validate(Entry(fault, target, (key, value)));

        act.Should().NotThrow();
    }

    [Theory]
    [InlineData("request-errors", "kind", "permanent", "parameters.kind: 'permanent' is not one of retriable, non-retriable (request-errors)")]
    [InlineData("request-errors", "count", "many", "parameters.count: 'many' is not an integer*")]
    [InlineData("request-errors", "kinds", "non-retriable", "parameters.kinds: unknown request-errors parameter (known: count, kind)")]
    [InlineData("broker-down", "rtt", "100", "parameters.rtt: broker-down takes no parameters")]
    [InlineData("leader-move", "to", "two", "parameters.to: 'two' is not an integer*")]
    public void A_bad_or_unknown_parameter_is_an_error_naming_it(string fault, string key, string value, string message)
    {
        var act = () => KafkaFaultFactory.Validate(Entry(fault, "Produce", (key, value)));

        act.Should().Throw<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public void Entries_naming_other_faults_are_left_to_their_own_checks()
    {
        var act = () => KafkaFaultFactory.Validate(Entry("process-kill", "api-1", ("anything", "at all")));

        act.Should().NotThrow();
    }

    [Theory]
    [InlineData(KafkaApiKey.Produce, KafkaErrorCode.TopicAuthorizationFailed)]
    [InlineData(KafkaApiKey.Fetch, KafkaErrorCode.TopicAuthorizationFailed)]
    [InlineData(KafkaApiKey.OffsetCommit, KafkaErrorCode.GroupAuthorizationFailed)]
    [InlineData(KafkaApiKey.Metadata, KafkaErrorCode.InvalidRequest)]
    public void Non_retriable_errors_are_ones_no_client_retries_and_never_the_retriable_ones(KafkaApiKey api, KafkaErrorCode expected)
    {
        var errors = RequestErrorsFault.NonRetriable(api, 4);

        errors.Should().HaveCount(4).And.OnlyContain(e => e == expected);
        errors.Should().NotIntersectWith(RequestErrorsFault.Retriable(api, 12));
    }

    [Fact]
    public void Broker_outage_refuses_fetch_then_produce_for_good_late_in_its_fault_phase_and_heals_inside_it()
    {
        var schedule = new BrokerOutageScenario().BuildSchedule(1, TimeSpan.FromSeconds(30));

        var refused = schedule.Entries.Where(e => e.Parameters.GetValueOrDefault("kind") == "non-retriable").ToList();
        refused.Select(e => (e.Fault, e.Target, e.At)).Should().Equal(
            ("request-errors", "Fetch", TimeSpan.FromSeconds(25.5)), ("request-errors", "Produce", TimeSpan.FromSeconds(27)));
        refused.Should().AllSatisfy(e => e.HealAt.Should().BeLessThanOrEqualTo(TimeSpan.FromSeconds(30)));
        var retriableFetch = schedule.Entries.Single(e => e.Target == "Fetch" && !e.Parameters.ContainsKey("kind"));
        refused[0].HealAt.Should().BeLessThan(retriableFetch.HealAt!.Value, "the retriable fetch errors' heal clears whatever is left of the refusals too");
        schedule.Entries.Should().AllSatisfy(e => KafkaFaultFactory.Validate(e));
    }
}
