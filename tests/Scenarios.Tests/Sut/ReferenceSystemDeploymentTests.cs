using System.Text;
using Chaos.Harness.Deployment;
using Chaos.Reference.Adapter;
using Chaos.Scenarios.Tests.Faults;

namespace Chaos.Scenarios.Tests.Sut;

/// <summary>
/// A real deployment of the reference system: what it shows through the deployment seam, and how it hands its keys to
/// the roles (in the environment, never in argv or a log).
/// </summary>
[Collection(DeploymentCollection.Name)]
public sealed class ReferenceSystemDeploymentTests(DeploymentFixture fixture)
{
    [Fact]
    public async Task Every_role_gets_its_keys_in_its_environment_and_no_key_is_in_any_command_line_or_log()
    {
        var credentials = fixture.System.Credentials;
        string[] keys = [credentials.JwtKey, credentials.AdminKey];
        var roles = fixture.System.Roles.ToList();
        roles.Select(n => n.Role).Distinct().Order(StringComparer.Ordinal).Should().Equal("api", "gateway", "jobs", "notifier");

        foreach (var node in roles)
        {
            // the keys, and the database (a PostgreSQL connection string may hold a password): never in argv
            var expected = new Dictionary<string, string>(credentials.EnvironmentFor(node.Role), StringComparer.Ordinal) { [ReferenceSystemDeployment.DatabaseVariable] = fixture.System.Database };
            node.Spec.Environment.Should().Equal(expected, node.Name);
            node.Spec.Arguments.Should().NotContain(a => keys.Any(k => a.Contains(k, StringComparison.Ordinal)), node.Name).And.NotContain("--db");

            // what `ps` shows every user, and what only the process's own user may read
            var pid = node.ProcessId!.Value;
            var commandLine = Encoding.UTF8.GetString(await File.ReadAllBytesAsync($"/proc/{pid}/cmdline", TestContext.Current.CancellationToken));
            commandLine.Should().Contain("Reference.System.dll").And.NotContain(credentials.AdminKey).And.NotContain(credentials.JwtKey);
            var environment = Encoding.UTF8.GetString(await File.ReadAllBytesAsync($"/proc/{pid}/environ", TestContext.Current.CancellationToken)).Split('\0');
            environment.Should().Contain($"REFSYS_ADMIN_KEY={credentials.AdminKey}").And.Contain($"{ReferenceSystemDeployment.DatabaseVariable}={fixture.System.Database}");
            (environment.Contains($"REFSYS_JWT_KEY={credentials.JwtKey}")).Should().Be(node.Role is "api" or "gateway", node.Name);
            if (!OperatingSystem.IsWindows())
            {
                File.GetUnixFileMode($"/proc/{pid}/environ").Should().Be(UnixFileMode.UserRead, "no other user may read a process's environment");
            }

            var log = await File.ReadAllTextAsync(node.LogPath, TestContext.Current.CancellationToken);
            log.Should().Contain("start #1:").And.NotContain(credentials.AdminKey).And.NotContain(credentials.JwtKey);
        }
    }

    [Fact]
    public void Through_the_deployment_seam_it_shows_its_nodes_by_role_its_kafka_devices_and_database()
    {
        ISystemDeployment system = fixture.System;

        system.Nodes.Select(n => n.Name).Should().Equal("api-1", "notifier-1", "gateway-1", "jobs-1");
        system.Nodes.Should().OnlyContain(n => n.IsRunning);
        system.InstancesOf("gateway").Should().ContainSingle().Which.Name.Should().Be("gateway-1");
        system.InstancesOf("no-such-role").Should().BeEmpty();
        system.DeviceEndpoints.Should().Equal(new Uri(system.InstancesOf("gateway")[0].Endpoint!, "/hub"));
        system.Database.Should().StartWith("sqlite:").And.EndWith("system.db");

        system.Kafka.BootstrapServers.Should().Be(fixture.System.KafkaControl!.BootstrapServers);
        system.Kafka.Control.Should().BeSameAs(fixture.System.KafkaControl, "the run started this cluster: its broker faults are offered");
        system.Kafka.Node.Should().BeSameAs(fixture.System.KafkaNode);
        system.Kafka.Topics.Should().Equal(ReferenceSystemOptions.Topics.Select(t => new KafkaTopic(t.Topic, t.Partitions)));
        system.Kafka.GroupOf("notifier").Should().Be(new KafkaConsumerGroup("notifier", "notifier", "fanout"));
        system.Kafka.GroupOf("jobs").Should().Be(new KafkaConsumerGroup("jobs", "jobs", "jobs"));
        system.Kafka.GroupOf("gateway").Should().BeNull("each gateway reads deliveries with a group of its own");
    }

    [Fact]
    public void A_kafka_the_run_did_not_start_offers_no_control_channel_and_says_which_fault_asked()
    {
        var external = new SystemKafka("127.0.0.1:9092", [new KafkaTopic("fanout", 6)], []);

        var asked = () => external.RequireControl("broker-down");

        asked.Should().Throw<InvalidOperationException>().WithMessage("broker-down needs the embedded Kafka's control channel*127.0.0.1:9092*");
        external.GroupOf("notifier").Should().BeNull();
    }
}
