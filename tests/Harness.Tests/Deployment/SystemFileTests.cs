using Chaos.Harness.Deployment;
using Chaos.Harness.Topology;

namespace Chaos.Harness.Tests.Deployment;

/// <summary>The system file (docs/systems.md): what it says, and every way it can be wrong, named by line and column.</summary>
public sealed class SystemFileTests
{
    private static SystemDescription Parse(string text, bool allowRemote = false) => SystemFile.Parse(text, "chaos.system.yaml", allowRemote);

    private static IEnumerable<string> Problems(string text, bool allowRemote = false) =>
        FluentActions.Invoking(() => Parse(text, allowRemote)).Should().Throw<SystemFileException>().Which.Errors.Select(e => e.ToString());

    [Fact]
    public void A_full_file_says_every_setting()
    {
        var description = Parse("""
            # the reference system on a cluster of our own, PostgreSQL storage, in containers
            system: reference
            kafka:
              bootstrap: " 127.0.0.1:9092 , localhost:9093 "
            storage:
              postgres: Host=127.0.0.1;Username=chaos;Password=chaos;Database=chaos
            topology: containers
            allowRemote: false
            """);

        description.Should().BeEquivalentTo(new SystemDescription
        {
            Source = "chaos.system.yaml",
            System = "reference",
            KafkaBootstrap = "127.0.0.1:9092,localhost:9093",
            Postgres = "Host=127.0.0.1;Username=chaos;Password=chaos;Database=chaos",
            Topology = TopologyKind.Containers,
            AllowRemote = false,
        });
        description.SaysKafka.Should().BeTrue();
        description.SaysStorage.Should().BeTrue();
    }

    [Fact]
    public void The_defaults_spelled_out_and_a_bare_file_leave_the_rest_to_the_command_line()
    {
        var spelled = Parse("system: reference\nkafka: embedded\nstorage: sqlite\n");
        spelled.KafkaEmbedded.Should().BeTrue();
        spelled.KafkaBootstrap.Should().BeNull();
        spelled.StorageSqlite.Should().BeTrue();
        spelled.SaysKafka.Should().BeTrue("the file says where Kafka is, so --kafka-bootstrap may not say it too");

        var bare = Parse("system: reference\n");
        bare.SaysKafka.Should().BeFalse();
        bare.SaysStorage.Should().BeFalse();
        bare.Topology.Should().BeNull();
        bare.AllowRemote.Should().BeNull();
    }

    [Fact]
    public void Every_problem_is_named_at_once_with_its_line_column_and_key()
    {
        Problems("""
            kafka:
              bootstrap: broker
            storage: mysql
            topology: kubernetes
            allowRemote: maybe
            colour: blue
            """).Should().Equal(
            "chaos.system.yaml:1:1: system: missing: name the system (reference, or your adapter's name with adapter:)",
            "chaos.system.yaml:2:14: kafka.bootstrap: 'broker' is not host:port (a port 1-65535)",
            "chaos.system.yaml:3:10: storage: expected 'sqlite' or a mapping with one key, postgres: a PostgreSQL connection string",
            "chaos.system.yaml:4:11: topology: 'kubernetes' is not a topology (known: processes, containers)",
            "chaos.system.yaml:5:14: allowRemote: 'maybe' is not true or false",
            "chaos.system.yaml:6:1: colour: not a key of a system file (known: system, adapter, kafka, storage, topology, allowRemote)");
    }

    [Fact]
    public void A_file_of_many_problems_lists_the_first_twenty_and_keeps_them_all()
    {
        var text = "system: reference\n" + string.Concat(Enumerable.Range(1, 30).Select(i => $"key{i}: 1\n"));

        var refused = FluentActions.Invoking(() => Parse(text)).Should().Throw<SystemFileException>().Which;

        refused.Errors.Should().HaveCount(30);
        refused.Message.Should().StartWith("30 problems, the first 20:").And.Contain("chaos.system.yaml:21:1: key20:")
            .And.NotContain("key21:").And.EndWith("... and 10 more");
    }

    [Fact]
    public void A_remote_cluster_is_refused_unless_remote_targets_are_allowed_by_the_file_or_the_command_line()
    {
        const string remote = "system: reference\nkafka: { bootstrap: kafka.example.com:9092 }\n";

        Problems(remote).Should().ContainSingle().Which.Should().StartWith("chaos.system.yaml:2:21: kafka.bootstrap: refusing non-loopback target 'kafka.example.com:9092' (kafka.bootstrap)");
        Parse(remote + "allowRemote: true\n").KafkaBootstrap.Should().Be("kafka.example.com:9092");
        Parse(remote, allowRemote: true).KafkaBootstrap.Should().Be("kafka.example.com:9092");
    }

    [Fact]
    public void A_system_of_your_own_names_its_adapter_assembly_relative_to_the_file()
    {
        var folder = Directory.CreateTempSubdirectory("chaos-systemfile-");
        try
        {
            var adapter = Path.Combine(folder.FullName, "bin", "My.Adapter.dll");
            Directory.CreateDirectory(Path.GetDirectoryName(adapter)!);
            File.WriteAllBytes(adapter, [0]);
            var file = Path.Combine(folder.FullName, "chaos.system.yaml");

            var description = SystemFile.Parse("system: my-chat\nadapter: bin/My.Adapter.dll\n", file, allowRemote: false);

            description.System.Should().Be("my-chat");
            description.Adapter.Should().Be(adapter, "a relative path is read from the file's folder, not the working directory");
            SystemFile.Parse("system: reference\n", file, allowRemote: false).Adapter.Should().BeNull();
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_system_without_its_adapter_or_the_reference_with_one_or_nodes_without_code_are_refused()
    {
        Problems("""
            system: my-chat
            nodes:
              api: { command: ./api }
            """).Should().Equal(
            "chaos.system.yaml:1:9: system: 'my-chat' is not built in (built in: reference): add adapter: the path of its adapter assembly (docs/systems.md)",
            "chaos.system.yaml:2:1: nodes: nodes described without code (commands, images, ports) are not built yet: name an adapter assembly that deploys them (adapter:, docs/systems.md)");
        Problems("system: reference\nadapter: x.dll\n").Should().Equal(
            "chaos.system.yaml:2:10: adapter: the reference system's adapter is built in: name another system, or leave adapter: out");
        Problems("system: my-chat\nadapter: no-such-adapter.dll\n").Should().ContainSingle()
            .Which.Should().StartWith("chaos.system.yaml:2:10: adapter: ").And.EndWith("no-such-adapter.dll: no such file (build the adapter first: dotnet build -c Release)");
    }

    [Theory]
    [InlineData("", "the file is empty")]
    [InlineData("- system: reference", "expected a mapping")]
    [InlineData("system: reference\nsystem: reference", "a key appears twice")]
    [InlineData("system: [reference]", "expected a value")]
    [InlineData("system: reference\nkafka: { bootstrap: '' }", "kafka.bootstrap: expected a value")]
    [InlineData("system: reference\nkafka: { bootstrap: a:1, extra: 1 }", "expected 'embedded' or a mapping with one key")]
    [InlineData("system: {", "not valid YAML")]
    public void Malformed_files_are_refused_naming_what_is_wrong(string text, string named) =>
        Problems(text).Should().ContainSingle().Which.Should().Contain(named);

    [Fact]
    public async Task A_file_that_cannot_be_read_is_refused_naming_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"chaos-no-such-{Guid.NewGuid():N}.yaml");

        var refused = await FluentActions.Awaiting(() => SystemFile.LoadAsync(path, allowRemote: false, TestContext.Current.CancellationToken))
            .Should().ThrowAsync<SystemFileException>();

        refused.Which.Message.Should().StartWith($"{path}:0:0: (file): cannot read the file");
    }
}
