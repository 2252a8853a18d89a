using System.Globalization;
using System.Security.Cryptography;
using Chaos.Harness.Deployment;
using Chaos.Harness.Devices;
using Chaos.Harness.Topology;

namespace WsChat.Adapter;

/// <summary>
/// The wschat sample system as a system under test (samples/wschat/README.md; docs/systems.md, "Your own system"):
/// one role, <c>chat</c>, one instance, which takes sends over HTTP, writes them to Kafka, consumes them into its own
/// inbox journal and pushes them to devices over plain WebSockets. It runs no jobs and offers no failpoints, so the
/// scenarios and fault kinds that need them are refused before a run starts.
/// </summary>
public sealed class WsChatAdapter : ISystemAdapter
{
    /// <summary>The system's one role.</summary>
    public const string Role = "chat";

    /// <summary>Partitions of the messages topic.</summary>
    public const int Partitions = 6;

    public string Name => "wschat";

    public IReadOnlySet<string> Capabilities { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// The planted bugs (samples/wschat/README.md): <c>last-device-wins</c>, a user's second device takes the first one's
    /// place in the push registry; <c>dedupe-not-rebuilt</c>, the journal forgets the message ids it holds when it restarts.
    /// </summary>
    public IReadOnlyList<string> Defects { get; } = ["last-device-wins", "dedupe-not-rebuilt"];

    public IDeviceClientFactory Devices { get; } = new WsChatDevices();

    public void CheckRequirements(SystemRequirements requirements)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        requirements.Validate();
        if (requirements.DeviceInstances is { } devices && devices != 1)
        {
            throw new ArgumentException($"the wschat system runs one {Role} instance, which serves the devices, not {devices}: its inbox journal has one writer", nameof(requirements));
        }

        foreach (var (role, count) in requirements.Instances)
        {
            if (role != Role)
            {
                throw new ArgumentException($"the wschat system has no role '{role}' (its one role: {Role})", nameof(requirements));
            }

            if (count != 1)
            {
                throw new ArgumentException($"the wschat system runs one {Role} instance, not {count}: its inbox journal has one writer", nameof(requirements));
            }
        }
    }

    /// <summary>One node, <c>chat-1</c>, serving devices; one topic; one consumer group.</summary>
    public SystemShape ShapeFor(SystemRequirements requirements)
    {
        CheckRequirements(requirements);
        return new SystemShape
        {
            Roles = new Dictionary<string, IReadOnlyList<string>> { [Role] = [$"{Role}-1"] },
            DeviceRole = Role,
            Topics = [new KafkaTopic(WsChatDeployment.Topic, Partitions)],
            ConsumerGroups = [new KafkaConsumerGroup(Role, WsChatDeployment.Group, WsChatDeployment.Topic)],
        };
    }

    public async Task<DeployedSystem> DeployAsync(DeploymentRequest request, ITopology topology, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(topology);
        // the names the run drew its faults from are the names deployed (the defects were checked by the run's options)
        var shape = ShapeFor(request.Requirements);
        var server = Path.Combine(Path.GetDirectoryName(typeof(WsChatAdapter).Assembly.Location)!, "server", "WsChat.Server.dll");
        if (!File.Exists(server))
        {
            throw new ArgumentException($"the wschat server is not built: {server} is missing (dotnet build -c Release)", nameof(request));
        }

        var kafka = await SystemKafka.StartAsync(topology, request.KafkaBootstrap, shape, cancellationToken);
        var bootstrap = kafka.BootstrapServers;

        // the deployment's secrets: fresh per run, in the nodes' environment (never their argv)
        var secret = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var serviceKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));
        var session = request.Requirements.ConsumerSessionTimeout ?? TimeSpan.FromSeconds(6);
        var name = shape.NodesOf(Role)[0];
        List<string> args =
        [
            "--urls", "http://127.0.0.1:{port}", "--kafka", bootstrap, "--data", Path.Combine(topology.RunDirectory, name),
            "--session-timeout-ms", ((int)session.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        ];
        foreach (var defect in request.Defects)
        {
            args.AddRange(["--defect", defect]);
        }

        var chat = await topology.LaunchAsync(
            NodeSpec.For(name, Role, new LaunchCommand(ToolLocator.DotnetHost(), [server]), args) with
            {
                Environment = new Dictionary<string, string> { ["WSCHAT_SECRET"] = secret, ["WSCHAT_SERVICE_KEY"] = serviceKey },
                Readiness = ReadinessCheck.Http("/ready"),
            },
            cancellationToken);
        var deployment = new WsChatDeployment(chat, kafka);
        return new DeployedSystem(deployment, new WsChatApi(deployment, secret, serviceKey, request.RequestTimeout));
    }
}
