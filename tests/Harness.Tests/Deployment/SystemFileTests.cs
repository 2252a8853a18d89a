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
            "chaos.system.yaml:1:1: system: missing: name the system (reference, your adapter's name with adapter:, or your system's with nodes:)",
            "chaos.system.yaml:2:14: kafka.bootstrap: 'broker' is not host:port (a port 1-65535)",
            "chaos.system.yaml:3:10: storage: expected 'sqlite' or a mapping with one key, postgres: a PostgreSQL connection string",
            "chaos.system.yaml:4:11: topology: 'kubernetes' is not a topology (known: processes, containers)",
            "chaos.system.yaml:5:14: allowRemote: 'maybe' is not true or false",
            "chaos.system.yaml:6:1: colour: not a key of a system file (known: system, adapter, kafka, storage, topology, allowRemote, nodes, topics, groups, client)");
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
    public void A_system_without_its_adapter_or_nodes_or_the_reference_with_either_are_refused()
    {
        Problems("system: my-chat\n").Should().Equal(
            "chaos.system.yaml:1:9: system: 'my-chat' is not built in (built in: reference): add adapter: the path of its adapter assembly, or describe its nodes with nodes: (docs/systems.md)");
        Problems("system: reference\nadapter: x.dll\n").Should().Equal(
            "chaos.system.yaml:2:10: adapter: the reference system is built in: name another system, or leave adapter: out");
        Problems("system: reference\nnodes: []\n").Should().Equal(
            "chaos.system.yaml:2:8: nodes: the reference system is built in: name another system, or leave nodes: out");
        Problems("system: my-chat\nadapter: no-such-adapter.dll\n").Should().ContainSingle()
            .Which.Should().StartWith("chaos.system.yaml:2:10: adapter: ").And.EndWith("no-such-adapter.dll: no such file (build the adapter first: dotnet build -c Release)");
        Problems("system: my-chat\nadapter: x.dll\nnodes: []\n").Should().Contain(
            "chaos.system.yaml:3:8: nodes: a system is deployed by its adapter (adapter:) or described by its nodes (nodes:), not both");
        Problems("system: my-chat\nadapter: x.dll\ntopics: []\n").Should().Contain(
            "chaos.system.yaml:3:1: topics: only with nodes: (it describes the nodes' topics, groups and client)");
    }

    [Fact]
    public void Nodes_without_code_say_each_role_its_topics_groups_and_the_client_protocol()
    {
        var file = Path.Combine(Path.GetTempPath(), "sys", "chaos.system.yaml");
        var description = SystemFile.Parse(
            """
            system: my-chat
            topics:
              - {name: fanout, partitions: 6}
            groups:
              - {role: worker, group: workers, topic: fanout}
            nodes:
              - role: web
                command: bin/web
                args: [--urls, "http://127.0.0.1:{port}", --kafka, "{kafka}", --data, "{run}/{name}", --seed, "{seed}"]
                env: {WEB_KEY: "{secret:admin}", PEER: "{port:peer}"}
                ready: /health
                instances: 2
                startupTimeout: 20s
              - role: worker
                command: dotnet
                args: ["{dir}/worker.dll", --port, "{port}"]
                ready: /ready
            client:
              api: web
              devices: web
              hub: /push
              adminKey: "{secret:admin}"
              paths: {token: /auth/token, inbox: "/v2/inbox/{user}"}
              methods: {deliver: Push}
            """,
            file,
            allowRemote: false);

        var declared = description.Declared!;
        description.System.Should().Be("my-chat");
        description.Adapter.Should().BeNull();
        declared.Directory.Should().Be(Path.GetDirectoryName(file));
        declared.Nodes.Select(n => (n.Role, n.Command, n.Instances, n.Ready)).Should().Equal(("web", "bin/web", 2, "/health"), ("worker", "dotnet", 1, "/ready"));
        declared.Nodes[0].Arguments.Should().Equal("--urls", "http://127.0.0.1:{port}", "--kafka", "{kafka}", "--data", "{run}/{name}", "--seed", "{seed}");
        declared.Nodes[0].Environment.Should().Equal(new Dictionary<string, string> { ["WEB_KEY"] = "{secret:admin}", ["PEER"] = "{port:peer}" });
        declared.Nodes[0].StartupTimeout.Should().Be(TimeSpan.FromSeconds(20));
        declared.Nodes[1].StartupTimeout.Should().Be(TimeSpan.FromSeconds(60), "the default");
        declared.Topics.Should().Equal(new KafkaTopic("fanout", 6));
        declared.Groups.Should().Equal(new KafkaConsumerGroup("worker", "workers", "fanout"));
        declared.Client.Should().Be(new DeclaredClient
        {
            Api = "web",
            Devices = "web",
            Hub = "/push",
            AdminKey = "{secret:admin}",
            TokenPath = "/auth/token",
            InboxPath = "/v2/inbox/{user}",
            DeliverMethod = "Push",
        });
        declared.Client.MessagesPath.Should().Be("/messages", "a path not given is the reference protocol's");
        declared.Client.AckMethod.Should().Be("Ack");
    }

    [Fact]
    public void Every_problem_of_the_nodes_is_named_at_its_line()
    {
        Problems("""
            system: my-chat
            topics:
              - {name: fanout, partitions: 0}
              - {name: "bad topic", partitions: 1}
            groups:
              - {role: nobody, group: g, topic: missing}
            nodes:
              - role: web
                command: ./web
                args: [--urls, "http://127.0.0.1:{port}", "{host}"]
                ready: health
                instances: 17
                image: web:latest
              - role: web
                command: ./web2
                args: [--port, "{port}"]
                ready: /ready
                port: 8080
              - role: quiet
                command: ./quiet
                ready: /ready
              - command: ./x
            client:
              api: web
              devices: phones
              hub: push
              paths: {inbox: /inbox, avatar: /a}
              methods: {ack: "not a name"}
            """).Should().Equal(
            "chaos.system.yaml:3:32: topics.partitions: expected a whole number within 1..1000",
            "chaos.system.yaml:4:12: topics.name: 'bad topic' is not a topic name (1-249 letters, digits, '.', '_' or '-')",
            "chaos.system.yaml:6:12: groups.role: 'nobody' is not a role of nodes: (declared: web, quiet)",
            "chaos.system.yaml:6:37: groups.topic: 'missing' is not among topics: (declared: none)",
            "chaos.system.yaml:10:47: nodes.args: {host} is not a placeholder (known: {port}, {port:NAME}, {name}, {role}, {instance}, {kafka}, {run}, {dir}, {seed}, {secret:NAME})",
            "chaos.system.yaml:11:12: nodes.ready: 'health' is not a path (it starts with '/': GET on the node's endpoint answers 2xx once it serves)",
            "chaos.system.yaml:12:16: nodes.instances: expected a whole number within 1..16",
            "chaos.system.yaml:13:5: nodes.image: nodes from container images are not built yet: give the command that runs the node (docs/systems.md, \"What is not built\")",
            "chaos.system.yaml:14:5: nodes.role: role 'web' is declared twice: one entry per role, with instances: for more",
            "chaos.system.yaml:18:5: nodes.port: a node's ports are the harness's: write {port} in its args and it picks a free loopback port for each instance",
            "chaos.system.yaml:19:5: nodes.args: node 'quiet' has no {port} in its args or env: the harness reaches each instance on the loopback port it gives it there",
            "chaos.system.yaml:22:5: nodes.role: missing",
            "chaos.system.yaml:22:5: nodes.ready: missing",
            "chaos.system.yaml:24:3: client.adminKey: missing",
            "chaos.system.yaml:25:12: client.devices: 'phones' is not a role of nodes: (declared: web, quiet)",
            "chaos.system.yaml:26:8: client.hub: expected a path starting with '/' (no spaces)",
            "chaos.system.yaml:27:18: client.paths.inbox: '/inbox' does not say where the user goes: write {user} in it (e.g. /users/{user}/inbox)",
            "chaos.system.yaml:27:26: client.paths.avatar: not a key of client.paths (known: token, messages, notifications, inbox)",
            "chaos.system.yaml:28:18: client.methods.ack: expected a hub method name (letters, digits and '_')");
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
