using System.Globalization;
using System.Net;
using Chaos.Harness;
using Chaos.Harness.Deployment;
using Chaos.Harness.Faults.Failpoints;
using Chaos.Harness.Kafka;
using Chaos.Harness.Topology;

namespace Chaos.Reference.Adapter;

/// <summary>
/// The reference system deployed on a topology: the embedded Kafka host (<c>chaos kafka</c>) — or a cluster the run did
/// not start (<see cref="ReferenceSystemOptions.KafkaBootstrap"/>) — and every role instance as its own node. The
/// topology owns the processes; this type knows which node is what. Runs, scenarios and faults see it through
/// <see cref="ISystemDeployment"/> (docs/architecture.md, "The deployment seam"); its own members (instances per role,
/// credentials, the api's URLs) are for the reference system's api and proxies.
/// </summary>
public sealed class ReferenceSystemDeployment : ISystemDeployment
{
    /// <summary>The environment variable a node reads its database from (<c>--db</c>'s, docs/reference-system.md).</summary>
    public const string DatabaseVariable = "REFSYS_DB";

    private readonly List<ITopologyNode> _added = [];
    private readonly HashSet<string> _reserved = new(StringComparer.Ordinal);
    private readonly Lock _addedGate = new();
    private ITopology? _topology;
    private Func<string, int, NodeSpec>? _roleSpec;

    private ReferenceSystemDeployment(
        string bootstrapServers,
        ITopologyNode? kafka,
        KafkaControlClient? kafkaControl,
        IReadOnlyList<ITopologyNode> api,
        IReadOnlyList<ITopologyNode> notifiers,
        IReadOnlyList<ITopologyNode> gateways,
        IReadOnlyList<ITopologyNode> jobs,
        string database,
        SystemCredentials credentials)
    {
        Credentials = credentials;
        KafkaNode = kafka;
        KafkaControl = kafkaControl;
        Api = api;
        Notifiers = notifiers;
        Gateways = gateways;
        Jobs = jobs;
        Database = database;
        Nodes = [.. api, .. notifiers, .. gateways, .. jobs];
        BootstrapServers = bootstrapServers;
        Kafka = new SystemKafka(
            bootstrapServers,
            KafkaTopics,
            [.. ReferenceSystemOptions.ConsumerGroups.Select(g => new KafkaConsumerGroup(g.Role, g.Group, g.Topic))])
        {
            Control = kafkaControl,
            Node = kafka,
        };
    }

    /// <summary>The embedded Kafka's host node (<c>chaos kafka</c>); null on a cluster the run did not start.</summary>
    public ITopologyNode? KafkaNode { get; }

    public SystemKafka Kafka { get; }

    public IReadOnlyList<ITopologyNode> Nodes { get; }

    public string DeviceRole => "gateway";

    /// <summary>Every role's failpoints, through its admin endpoint (<see cref="ReferenceFailpoints"/>).</summary>
    public IFailpointControl? Failpoints { get; } = new ReferenceFailpoints();

    public IReadOnlyList<Uri> DeviceEndpoints => HubUrls;

    /// <summary>The fault control channel of the embedded cluster; null on a cluster the run did not start.</summary>
    public KafkaControlClient? KafkaControl { get; }

    public string BootstrapServers { get; }

    private static IReadOnlyList<KafkaTopic> KafkaTopics => [.. ReferenceSystemOptions.Topics.Select(t => new KafkaTopic(t.Topic, t.Partitions))];

    public IReadOnlyList<ITopologyNode> Api { get; }

    public IReadOnlyList<ITopologyNode> Notifiers { get; }

    public IReadOnlyList<ITopologyNode> Gateways { get; }

    public IReadOnlyList<ITopologyNode> Jobs { get; }

    /// <summary>The deployment's JWT and admin keys (docs/security.md); the roles got them in their environment.</summary>
    public SystemCredentials Credentials { get; }

    /// <summary>The <c>--db</c> value the roles share.</summary>
    public string Database { get; }

    /// <summary>Every role instance started with the deployment: <see cref="Nodes"/>.</summary>
    public IEnumerable<ITopologyNode> Roles => Nodes;

    /// <summary>Instances launched after the start by <see cref="LaunchInstanceAsync"/> (e.g. a consumer-group scale-out).</summary>
    public IReadOnlyList<ITopologyNode> AddedInstances
    {
        get
        {
            lock (_addedGate)
            {
                return [.. _added];
            }
        }
    }

    public IReadOnlyList<ITopologyNode> InstancesOf(string role) => [.. Nodes.Concat(AddedInstances).Where(n => n.Role == role)];

    /// <summary>The new node is <c>role-N</c>, N the next free number (<see cref="ISystemDeployment.LaunchInstanceAsync"/>).</summary>
    public async Task<ITopologyNode> LaunchInstanceAsync(string role, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(role);
        if (_topology is null || _roleSpec is null)
        {
            throw new InvalidOperationException("the deployment was not started by StartAsync");
        }

        int instance;
        lock (_addedGate)
        {
            var taken = _topology.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
            instance = 1;
            while (taken.Contains($"{role}-{instance}") || _reserved.Contains($"{role}-{instance}"))
            {
                instance++;
            }

            // reserved before the (slow) launch so two concurrent scale-outs pick different names
            _reserved.Add($"{role}-{instance}");
        }

        var node = await _topology.LaunchAsync(_roleSpec(role, instance), cancellationToken);
        lock (_addedGate)
        {
            _added.Add(node);
        }

        return node;
    }

    public IReadOnlyList<Uri> ApiUrls => [.. Api.Select(n => n.Endpoint!)];

    public IReadOnlyList<Uri> HubUrls => [.. Gateways.Select(n => new Uri(n.Endpoint!, "/hub"))];

    /// <summary>
    /// The <c>chaos kafka</c> command line of a run: its topics, and retention protected by the group consuming each
    /// topic (<see cref="ReferenceSystemOptions.ConsumerGroups"/>; deliveries and jobs-dlq have none, so stay whole).
    /// </summary>
    internal static string[] KafkaHostArguments(ReferenceSystemOptions options) =>
    [
        "kafka", "--brokers", options.Brokers.ToString(CultureInfo.InvariantCulture), "--control-port", "{port:control}",
        .. ReferenceSystemOptions.Topics.SelectMany(t => new[] { "--topic", $"{t.Topic}:{t.Partitions}" }),
        .. options.KafkaRetention is { } retention && retention > TimeSpan.Zero
            ? [
                "--retention", $"{Math.Max(1, (long)Math.Ceiling(retention.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture)}ms",
                .. ReferenceSystemOptions.ConsumerGroups.SelectMany(g => new[] { "--retention-group", $"{g.Topic}={g.Group}" }),
            ]
            : Array.Empty<string>(),
    ];

    /// <summary>Starts Kafka (or checks the existing cluster: <see cref="ReferenceSystemOptions.KafkaBootstrap"/>), creates
    /// the topics, then the api (which creates the schema), then the other roles.</summary>
    /// <exception cref="ExistingKafkaException">The existing cluster cannot take the run (nothing was started).</exception>
    public static async Task<ReferenceSystemDeployment> StartAsync(ITopology topology, ReferenceSystemOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        ITopologyNode? kafka = null;
        KafkaControlClient? control = null;
        string bootstrap;
        if (options.KafkaBootstrap is { } existing)
        {
            // a cluster the run did not start: checked before any node starts, its topics created when absent
            await ExistingKafka.PrepareAsync(existing, KafkaTopics, cancellationToken);
            bootstrap = existing;
        }
        else
        {
            kafka = await topology.LaunchAsync(
                NodeSpec.For("kafka", "kafka", ToolLocator.ChaosTool(), KafkaHostArguments(options)) with
                {
                    Readiness = ReadinessCheck.Line(@"^bootstrap: (?<bootstrap>\S+)$"),
                    StartupTimeout = options.StartupTimeout,
                },
                cancellationToken);
            control = await KafkaControlClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, kafka.Ports["control"]), cancellationToken);
            // the spare broker, before any client connects: a fault aimed at one topic moves it there (topic-refused), and
            // added now it disturbs nothing — no client has metadata to go stale, no group a coordinator to lose
            // (docs/embedded-kafka.md, "The spare broker")
            await control.SpareBrokerAsync([.. ReferenceSystemOptions.ConsumerGroups.Select(g => g.Group)], cancellationToken);
            bootstrap = control.BootstrapServers;
        }

        var database = options.Postgres is { } pg ? "postgres:" + pg : "sqlite:" + Path.Combine(options.StorageDirectory ?? topology.RunDirectory, "system.db");
        var sut = ToolLocator.ReferenceSystem();
        var credentials = options.Credentials ?? SystemCredentials.Generate();

        NodeSpec Role(string role, int instance) => RoleNode(options, sut, bootstrap, database, credentials, role, instance);

        var api = await topology.LaunchAllAsync(Enumerable.Range(1, options.ApiInstances).Select(i => Role("api", i)), cancellationToken);
        var rest = await topology.LaunchAllAsync(
            [
                .. Enumerable.Range(1, options.NotifierInstances).Select(i => Role("notifier", i)),
                .. Enumerable.Range(1, options.GatewayInstances).Select(i => Role("gateway", i)),
                .. Enumerable.Range(1, options.JobsInstances).Select(i => Role("jobs", i)),
            ],
            cancellationToken);

        return new ReferenceSystemDeployment(
            bootstrap,
            kafka,
            control,
            api,
            [.. rest.Where(n => n.Role == "notifier")],
            [.. rest.Where(n => n.Role == "gateway")],
            [.. rest.Where(n => n.Role == "jobs")],
            database,
            credentials)
        {
            _topology = topology,
            _roleSpec = Role,
        };
    }

    /// <summary>
    /// How one role instance is started. Its database goes in the environment (<see cref="DatabaseVariable"/>) with the
    /// keys, never in argv: a PostgreSQL connection string may hold a password, and argv is readable by every user of
    /// the machine (ps) and is written into the node's log.
    /// </summary>
    internal static NodeSpec RoleNode(ReferenceSystemOptions options, LaunchCommand sut, string bootstrap, string database, SystemCredentials credentials, string role, int instance)
    {
        var name = $"{role}-{instance}";
        List<string> args =
        [
            "--role", role, "--instance", name, "--urls", "http://127.0.0.1:{port}", "--kafka", bootstrap,
            "--session-timeout-ms", options.SessionTimeoutMs.ToString(CultureInfo.InvariantCulture),
            "--client-timeout-ms", options.ClientTimeoutMs.ToString(CultureInfo.InvariantCulture),
            "--seed", SeedStreams.DeriveInt(options.Seed, SeedStreams.Node(name)).ToString(CultureInfo.InvariantCulture),
        ];
        if (role == "jobs" && options.DownstreamUrl is { } downstream)
        {
            args.AddRange(["--downstream", downstream.ToString()]);
        }

        if (options.FailurePathDirectory is { } failurePaths)
        {
            args.AddRange(["--failure-paths", failurePaths]);
        }

        foreach (var defect in options.Defects)
        {
            args.AddRange(["--defect", defect]);
        }

        foreach (var (fpRole, spec) in options.Failpoints)
        {
            if (fpRole == role)
            {
                args.AddRange(["--failpoint", spec]);
            }
        }

        return NodeSpec.For(name, role, sut, args) with
        {
            // the keys and the database go in the environment (readable by this user only), never in argv (readable by everyone)
            Environment = new Dictionary<string, string>(credentials.EnvironmentFor(role), StringComparer.Ordinal) { [DatabaseVariable] = database },
            Readiness = ReadinessCheck.Http("/readyz"),
            StartupTimeout = options.StartupTimeout,
        };
    }
}
