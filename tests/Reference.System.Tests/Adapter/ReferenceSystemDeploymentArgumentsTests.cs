using Chaos.Harness.Topology;
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

    /// <summary>A PostgreSQL connection string may hold a password: argv is readable by everyone (ps) and goes into the node's log.</summary>
    [Theory]
    [InlineData("api")]
    [InlineData("notifier")]
    [InlineData("gateway")]
    [InlineData("jobs")]
    public void RoleNode_PassesTheDatabaseInTheEnvironmentNeverInArgv(string role)
    {
        const string Database = "postgres:Host=127.0.0.1;Username=chaos;Password=s3cret-pw;Database=chaos_run_1_abcdef12";
        var credentials = SystemCredentials.Generate();

        var node = ReferenceSystemDeployment.RoleNode(new ReferenceSystemOptions(), new LaunchCommand("dotnet", ["sut.dll"]), "127.0.0.1:9092", Database, credentials, role, 1);

        node.Environment[ReferenceSystemDeployment.DatabaseVariable].Should().Be(Database);
        node.Environment.Should().ContainKey(SystemCredentials.AdminKeyVariable);
        node.Arguments.Should().NotContain("--db").And.NotContain(a => a.Contains("s3cret-pw", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_NegativeKafkaRetention_ThrowsNamingIt()
    {
        var options = new ReferenceSystemOptions { KafkaRetention = TimeSpan.FromSeconds(-1) };

        options.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().Which.ParamName.Should().Be(nameof(ReferenceSystemOptions.KafkaRetention));
    }
}
