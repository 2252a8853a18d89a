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
            Retries = new RetryEnvelope { BaseDelay = TimeSpan.FromMilliseconds(100), Multiplier = 3, Jitter = 0.25, MaxAttempts = 5, SyncWindow = TimeSpan.FromMilliseconds(2), SyncThreshold = 20 },
        };

        var back = CheckOptionsFile.Parse(CheckOptionsFile.ToJson(options));

        back.LatencySlos.Should().Equal(options.LatencySlos);
        back.Informational.Should().BeEquivalentTo(options.Informational);
        back.Retries.Should().Be(options.Retries);
    }

    [Fact]
    public void Missing_members_take_the_defaults()
    {
        var back = CheckOptionsFile.Parse("{}");

        back.LatencySlos.Should().BeEmpty();
        back.Informational.Should().BeEmpty();
        back.Retries.Should().Be(new RetryEnvelope());
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("[1]", "JSON object")]
    [InlineData("""{"latencySlos":["p99=soon"]}""", "p99=soon")]
    [InlineData("""{"retries":{"multiplier":"fast"}}""", "retries.multiplier")]
    [InlineData("""{"retries":{"jitter":2}}""", "Jitter")]
    [InlineData("""{"informational":{"lost":""}}""", "informational.lost")]
    public void Bad_files_are_refused_naming_what_is_wrong(string json, string named)
    {
        var parse = () => CheckOptionsFile.Parse(json);

        parse.Should().Throw<FormatException>().Which.Message.Should().Contain(named);
    }
}
