using Chaos.Harness.Deployment;
using Chaos.Harness.Devices;
using Chaos.Harness.Faults.Kinds;
using Chaos.Harness.Topology;

namespace Chaos.Reference.Adapter;

/// <summary>
/// The reference system as a system under test (docs/architecture.md, "The adapter seam"): deployed by
/// <see cref="ReferenceSystemDeployment"/> (api, notifier, gateway and jobs instances, the embedded Kafka or an
/// existing cluster), driven through <see cref="ReferenceSystemApi"/>, its devices <see cref="ReferenceDeviceClients"/>.
/// </summary>
public sealed class ReferenceSystemAdapter : ISystemAdapter
{
    /// <summary>The adapter holds no state; one instance serves every run.</summary>
    public static readonly ReferenceSystemAdapter Instance = new();

    /// <summary>The reference system's roles, in start order (docs/reference-system.md).</summary>
    public static IReadOnlyList<string> Roles { get; } = ["api", "notifier", "gateway", "jobs"];

    public string Name => "reference";

    /// <summary>Failpoints on every role, jobs and their calls to the harness's provider, and SQLite unless told PostgreSQL.</summary>
    public IReadOnlySet<string> Capabilities { get; } =
        new HashSet<string>([FaultCapabilities.Failpoints, FaultCapabilities.DownstreamProvider, FaultCapabilities.SqliteStore, FaultCapabilities.Jobs], StringComparer.Ordinal);

    /// <summary>The reference system's nine defect switches (docs/defects.md).</summary>
    public IReadOnlyList<string> Defects { get; } =
    [
        "commit-before-process", "no-dedupe", "unkeyed-partitioning", "ack-before-persist", "no-resume",
        "client-no-dedupe", "retry-without-backoff", "non-atomic-effect", "no-dlq",
    ];

    public IDeviceClientFactory Devices => ReferenceDeviceClients.Instance;

    public void CheckRequirements(SystemRequirements requirements) => OptionsFor(requirements).Validate();

    /// <summary>Each role's instances <c>role-1</c>..<c>role-N</c>, the gateways serving devices, the reference topics and groups.</summary>
    public SystemShape ShapeFor(SystemRequirements requirements)
    {
        var options = OptionsFor(requirements);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            ["api"] = options.ApiInstances,
            ["notifier"] = options.NotifierInstances,
            ["gateway"] = options.GatewayInstances,
            ["jobs"] = options.JobsInstances,
        };
        return new SystemShape
        {
            Roles = Roles.ToDictionary(r => r, r => (IReadOnlyList<string>)[.. Enumerable.Range(1, counts[r]).Select(i => $"{r}-{i}")], StringComparer.Ordinal),
            DeviceRole = "gateway",
            Topics = [.. ReferenceSystemOptions.Topics.Select(t => new KafkaTopic(t.Topic, t.Partitions))],
            ConsumerGroups = [.. ReferenceSystemOptions.ConsumerGroups.Select(g => new KafkaConsumerGroup(g.Role, g.Group, g.Topic))],
            Brokers = options.Brokers,
        };
    }

    /// <summary>
    /// The reference system's deployment options that meet <paramref name="requirements"/>, the rest its defaults; an
    /// <see cref="ArgumentException"/> naming a role it does not have or a count it cannot run.
    /// </summary>
    public static ReferenceSystemOptions OptionsFor(SystemRequirements requirements)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        requirements.Validate();
        var options = new ReferenceSystemOptions();
        foreach (var (role, count) in requirements.Instances)
        {
            options = role switch
            {
                "api" => options with { ApiInstances = count },
                "notifier" => options with { NotifierInstances = count },
                "gateway" => options with { GatewayInstances = count },
                "jobs" => options with { JobsInstances = count },
                _ => throw new ArgumentException($"the reference system has no role '{role}' (its roles: {string.Join(", ", Roles)})", nameof(requirements)),
            };
        }

        if (requirements.DeviceInstances is { } devices)
        {
            if (requirements.Instances.TryGetValue("gateway", out var named) && named != devices)
            {
                throw new ArgumentException($"the scenario asks for {named} gateway instances and {devices} instances of the device role, which is the gateway", nameof(requirements));
            }

            options = options with { GatewayInstances = devices };
        }

        if (requirements.ConsumerSessionTimeout is { } session)
        {
            options = options with { SessionTimeoutMs = checked((int)session.TotalMilliseconds) };
        }

        if (requirements.DeviceIdleTimeout is { } idle)
        {
            options = options with { ClientTimeoutMs = checked((int)idle.TotalMilliseconds) };
        }

        options.Validate();
        return options;
    }

    public async Task<DeployedSystem> DeployAsync(DeploymentRequest request, ITopology topology, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(topology);
        var options = OptionsFor(request.Requirements) with
        {
            Seed = request.Seed,
            Defects = request.Defects,
            Postgres = request.Postgres,
            StorageDirectory = request.StorageDirectory,
            KafkaBootstrap = request.KafkaBootstrap,
            FailurePathDirectory = request.FailurePathDirectory,
            DownstreamUrl = request.DownstreamUrl,
        };
        var system = await ReferenceSystemDeployment.StartAsync(topology, options, cancellationToken);
        return new DeployedSystem(system, new ReferenceSystemApi(system, request.RequestTimeout));
    }
}
