using Chaos.Reference.Adapter;

namespace Chaos.Reference.Tests.Adapter;

public sealed class ReferenceSystemDeploymentArgumentsTests
{
    [Fact]
    public void KafkaHostArguments_DefaultOptions_RetainTenSecondsProtectedByTheCommittingGroups()
    {
        var args = ReferenceSystemDeployment.KafkaHostArguments(new ReferenceSystemOptions());

        args.Should().ContainInConsecutiveOrder("--retention", "10000ms");
        args.Where((_, i) => i > 0 && args[i - 1] == "--retention-group").Should().BeEquivalentTo(["fanout=notifier", "jobs=jobs"]);
        args.Should().NotContain(a => a.StartsWith("deliveries=", StringComparison.Ordinal), "the gateways read deliveries without committing");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0)]
    public void KafkaHostArguments_RetentionOff_PassNoRetention(int? seconds)
    {
        var options = new ReferenceSystemOptions { KafkaRetention = seconds is { } s ? TimeSpan.FromSeconds(s) : null };

        ReferenceSystemDeployment.KafkaHostArguments(options).Should().NotContain(["--retention", "--retention-group"]);
    }

    [Fact]
    public void Validate_NegativeKafkaRetention_ThrowsNamingIt()
    {
        var options = new ReferenceSystemOptions { KafkaRetention = TimeSpan.FromSeconds(-1) };

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().Which.ParamName.Should().Be(nameof(ReferenceSystemOptions.KafkaRetention));
    }
}
