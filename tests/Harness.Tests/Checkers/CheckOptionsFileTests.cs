using Chaos.Harness.Checkers;

namespace Chaos.Harness.Tests.Checkers;

/// <summary>check-options.json: what a run judged its history by, read back exactly by <c>chaos check</c>.</summary>
public sealed class CheckOptionsFileTests
{
    [Fact]
    public void Options_round_trip_exactly()
    {
        var options = new CheckOptions
        {
            LatencySlos = [LatencyThreshold.Parse("steady:p99=10s"), LatencyThreshold.Parse("fault:p99.9=2500ms"), LatencyThreshold.Parse("all:max=1m")],
            Informational = new Dictionary<string, string> { ["duplicate"] = "the broker may duplicate", ["latency-slo"] = "outage" },
            Retries = new RetryEnvelope { BaseDelay = TimeSpan.FromMilliseconds(100), Multiplier = 3, Jitter = 0.25, MaxAttempts = 5, MaxDelay = TimeSpan.FromSeconds(3), LateTolerance = TimeSpan.FromMilliseconds(700), SyncWindow = TimeSpan.FromMilliseconds(2), SyncThreshold = 20 },
            Reconnects = new ReconnectEnvelope { MinDelay = TimeSpan.FromMilliseconds(250), Jitter = 0.3, StormRun = 7, MaxDelay = TimeSpan.FromSeconds(2), Multiplier = 1.5, LateTolerance = TimeSpan.FromMilliseconds(300) },
            Availability = new AvailabilityBudget { MaxRefusedFraction = 0.05, MinRefused = 10 },
            RequiredPromises = [PromiseNames.JobsExactlyOnce, PromiseNames.RetriesWithinBackoff],
        };

        var back = CheckOptionsFile.Parse(CheckOptionsFile.ToJson(options));
        back.Reconnects.Should().Be(options.Reconnects);
        back.Availability.Should().Be(options.Availability);

        back.LatencySlos.Should().Equal(options.LatencySlos);
        back.Informational.Should().BeEquivalentTo(options.Informational);
        back.Retries.Should().Be(options.Retries);
        back.RequiredPromises.Should().Equal(PromiseNames.JobsExactlyOnce, PromiseNames.RetriesWithinBackoff);
    }

    [Fact]
    public void A_threshold_for_every_phase_round_trips_without_a_phase()
    {
        var json = CheckOptionsFile.ToJson(new CheckOptions { LatencySlos = [LatencyThreshold.Parse("p99=1s")] });

        json.Should().Contain("\"p99=1000ms\"");
        CheckOptionsFile.Parse(json).LatencySlos.Should().Equal(new LatencyThreshold(LatencyThreshold.Each, 99, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void No_required_promises_round_trips_as_none()
    {
        var back = CheckOptionsFile.Parse(CheckOptionsFile.ToJson(new CheckOptions { RequiredPromises = [] }));

        back.RequiredPromises.Should().BeEmpty();
    }

    [Fact]
    public void Missing_members_take_the_defaults()
    {
        var back = CheckOptionsFile.Parse("{}");

        back.LatencySlos.Should().BeEmpty();
        back.Informational.Should().BeEmpty();
        back.Retries.Should().Be(new RetryEnvelope());
        back.Reconnects.Should().Be(new ReconnectEnvelope(), "a run from before the reconnect rule is not judged on reconnects");
        back.Availability.Should().Be(new AvailabilityBudget(), "a run from before the availability rule is judged by the default budget");
        back.RequiredPromises.Should().Equal(PromiseNames.Delivery, "a file from before required promises existed is judged like a foreign history");
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("[1]", "JSON object")]
    [InlineData("""{"latencySlos":["p99=soon"]}""", "p99=soon")]
    [InlineData("""{"retries":{"multiplier":"fast"}}""", "retries.multiplier")]
    [InlineData("""{"retries":{"jitter":2}}""", "Jitter")]
    [InlineData("""{"reconnects":{"minDelayMs":"soon"}}""", "reconnects.minDelayMs")]
    [InlineData("""{"reconnects":{"stormRun":1}}""", "StormRun")]
    [InlineData("""{"availability":{"maxRefusedFraction":"some"}}""", "availability.maxRefusedFraction")]
    [InlineData("""{"availability":{"maxRefusedFraction":2}}""", "MaxRefusedFraction")]
    [InlineData("""{"availability":{"minRefused":0}}""", "MinRefused")]
    [InlineData("""{"informational":{"lost":""}}""", "informational.lost")]
    [InlineData("""{"requiredPromises":["no-loss","no-lateness"]}""", "requiredPromises[1]: \"no-lateness\" is not a promise")]
    [InlineData("""{"requiredPromises":"no-loss"}""", "requiredPromises must be an array")]
    [InlineData("""{"requiredPromises":[3]}""", "requiredPromises[0]: 3")]
    public void Bad_files_are_refused_naming_what_is_wrong(string json, string named)
    {
        var parse = () => CheckOptionsFile.Parse(json);

        parse.Should().Throw<FormatException>().Which.Message.Should().Contain(named);
    }
}
