using System.Buffers.Text;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Chaos.Harness;
using Chaos.Harness.Deployment;
using Chaos.Harness.Devices;
using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Processes;
using Chaos.Reference.Client;

namespace Chaos.Reference.Adapter;

/// <summary>
/// A system under test its system file describes without code (docs/systems.md, "Nodes without code"): the nodes the
/// file's <c>nodes:</c> lists, started role by role on the processes topology with the placeholders filled in, the
/// topics and groups it names on the embedded Kafka (or an existing cluster), driven through the reference protocol
/// with the file's paths and hub methods (<see cref="ReferenceSystemApi"/>, <see cref="ReferenceDeviceClients"/>). It
/// offers no capability beyond what every system does: no failpoints, no jobs, no provider, no store the harness may
/// touch — the scenarios and fault kinds that need one are refused before anything starts.
/// </summary>
public sealed partial class DeclaredSystemAdapter : ISystemAdapter
{
    private readonly DeclaredSystem _declared;

    /// <param name="declared">What the file says (<see cref="SystemDescription.Declared"/>).</param>
    /// <param name="name">The file's <c>system:</c>.</param>
    public DeclaredSystemAdapter(DeclaredSystem declared, string name)
    {
        ArgumentNullException.ThrowIfNull(declared);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _declared = declared;
        Name = name;
        Devices = new ReferenceDeviceClients(new HubMethods(declared.Client.DeliverMethod, declared.Client.AckMethod, declared.Client.ResumeMethod));
    }

    public string Name { get; }

    public IReadOnlySet<string> Capabilities { get; } = new HashSet<string>(StringComparer.Ordinal);

    public IDeviceClientFactory Devices { get; }

    /// <summary>
    /// Every role named is one the file declares (any count within 1..16), and every command the file names as a path
    /// is there. A scenario that sizes its faults against a
    /// consumer session or device idle timeout is refused: a declared system's timeouts are in its own arguments,
    /// which the harness does not rewrite.
    /// </summary>
    public void CheckRequirements(SystemRequirements requirements)
    {
        ArgumentNullException.ThrowIfNull(requirements);
        requirements.Validate();
        foreach (var node in _declared.Nodes)
        {
            _ = Command(node); // a program that is not there is refused now, before anything starts
        }

        foreach (var role in requirements.Instances.Keys)
        {
            if (_declared.Node(role) is null)
            {
                throw new ArgumentException($"the {Name} system declares no role '{role}' (its roles: {string.Join(", ", _declared.Nodes.Select(n => n.Role))})", nameof(requirements));
            }
        }

        if (requirements.DeviceInstances is { } devices && requirements.Instances.TryGetValue(_declared.Client.Devices, out var named) && named != devices)
        {
            throw new ArgumentException($"the scenario asks for {named} instances of {_declared.Client.Devices} and {devices} of the device role, which is {_declared.Client.Devices}", nameof(requirements));
        }

        if (requirements.ConsumerSessionTimeout is { } session)
        {
            throw new ArgumentException($"the scenario sizes its faults against a consumer session timeout of {session.TotalMilliseconds:0} ms, which the {Name} system's file cannot be told (its nodes' arguments set their own)", nameof(requirements));
        }

        if (requirements.DeviceIdleTimeout is { } idle)
        {
            throw new ArgumentException($"the scenario sizes its faults against a device idle timeout of {idle.TotalMilliseconds:0} ms, which the {Name} system's file cannot be told (its nodes' arguments set their own)", nameof(requirements));
        }
    }

    /// <summary>Each role's instances <c>role-1</c>..<c>role-N</c> (N as the scenario asks, else as declared), the file's topics and groups.</summary>
    public SystemShape ShapeFor(SystemRequirements requirements)
    {
        CheckRequirements(requirements);
        return new SystemShape
        {
            Roles = _declared.Nodes.ToDictionary(
                n => n.Role,
                n => (IReadOnlyList<string>)[.. Enumerable.Range(1, InstancesOf(n, requirements)).Select(i => $"{n.Role}-{i}")],
                StringComparer.Ordinal),
            DeviceRole = _declared.Client.Devices,
            Topics = _declared.Topics,
            ConsumerGroups = _declared.Groups,
        };
    }

    public async Task<DeployedSystem> DeployAsync(DeploymentRequest request, ITopology topology, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(topology);
        var shape = ShapeFor(request.Requirements);
        if (topology is not ProcessTopology)
        {
            throw new ArgumentException($"the {Name} system's nodes are commands: they run on the processes topology (nodes from container images are not built yet, docs/systems.md)", nameof(topology));
        }

        if (request.Postgres is not null)
        {
            throw new ArgumentException($"the {Name} system keeps its own storage, as its nodes' arguments say: --postgres (storage:) gives the reference system its database", nameof(request));
        }

        var commands = _declared.Nodes.ToDictionary(n => n.Role, Command, StringComparer.Ordinal);
        var kafka = await SystemKafka.StartAsync(topology, request.KafkaBootstrap, shape, cancellationToken);
        var bootstrap = kafka.BootstrapServers;

        // the deployment's secrets ({secret:NAME}): fresh per run, each the same wherever the file names it
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        var places = new Placeholders(bootstrap, topology.RunDirectory, _declared.Directory, request.Seed, secrets);
        NodeSpec Spec(string role, int instance)
        {
            var node = _declared.Node(role)!;
            var name = $"{role}-{instance}";
            return new NodeSpec
            {
                Name = name,
                Role = role,
                FileName = commands[role],
                Arguments = [.. node.Arguments.Select(a => places.Fill(a, role, instance))],
                Environment = node.Environment.ToDictionary(e => e.Key, e => places.Fill(e.Value, role, instance), StringComparer.Ordinal),
                Readiness = ReadinessCheck.Http(node.Ready),
                StartupTimeout = node.StartupTimeout,
            };
        }

        var deployment = new DeclaredDeployment(topology, Spec, kafka, _declared.Client);
        foreach (var node in _declared.Nodes)
        {
            // role by role, in the file's order: a role may need the one before it (the one that makes the schema)
            var count = shape.NodesOf(node.Role).Count;
            deployment.Started(await topology.LaunchAllAsync(Enumerable.Range(1, count).Select(i => Spec(node.Role, i)), cancellationToken));
        }

        var client = _declared.Client;
        var adminKey = places.Fill(client.AdminKey, client.Api, 0);
        var protocol = new ReferenceProtocol
        {
            ApiUrls = () => [.. deployment.InstancesOf(client.Api).Select(n => n.Endpoint!)],
            AdminAuthorization = () => new AuthenticationHeaderValue(SystemCredentials.AdminScheme, adminKey),
            BootstrapServers = bootstrap,
            ConsumerGroups = shape.ConsumerGroups,
            // the system says nothing of its assignments: the settle's canary, delivered end to end, is the witness
            ConsumersAssigned = _ => Task.FromResult(true),
            TokenPath = client.TokenPath,
            MessagesPath = client.MessagesPath,
            NotificationsPath = client.NotificationsPath,
            InboxPath = client.InboxPath,
        };
        return new DeployedSystem(deployment, new ReferenceSystemApi(protocol, request.RequestTimeout));
    }

    /// <summary>How many instances of <paramref name="node"/> the requirements ask for (by its role, or as the device role), else as declared.</summary>
    private int InstancesOf(DeclaredNode node, SystemRequirements requirements) =>
        requirements.Instances.TryGetValue(node.Role, out var count) ? count
        : node.Role == _declared.Client.Devices && requirements.DeviceInstances is { } devices ? devices
        : node.Instances;

    /// <summary>The node's program: a path relative to the system file when it holds a '/', else a name the topology finds on PATH.</summary>
    private string Command(DeclaredNode node)
    {
        if (!node.Command.Contains('/', StringComparison.Ordinal))
        {
            return node.Command;
        }

        var path = Path.GetFullPath(node.Command, _declared.Directory);
        return File.Exists(path)
            ? path
            : throw new ArgumentException($"the {Name} system's role {node.Role}: its command {path} does not exist", nameof(node));
    }

    /// <summary>Fills a node's placeholders (<see cref="DeclaredSystem.Placeholders"/>); <c>{port}</c> and <c>{port:NAME}</c> are left to the topology.</summary>
    private sealed partial class Placeholders(string kafka, string run, string dir, long seed, Dictionary<string, string> secrets)
    {
        public string Fill(string value, string role, int instance) =>
            Pattern().Replace(value, match =>
            {
                var name = match.Groups["name"].Value;
                var node = $"{role}-{instance}";
                return name switch
                {
                    "name" => node,
                    "role" => role,
                    "instance" => instance.ToString(CultureInfo.InvariantCulture),
                    "kafka" => kafka,
                    "run" => run,
                    "dir" => dir,
                    "seed" => SeedStreams.DeriveInt(seed, SeedStreams.Node(node)).ToString(CultureInfo.InvariantCulture),
                    _ when name.StartsWith("secret:", StringComparison.Ordinal) => Secret(name["secret:".Length..]),
                    _ => match.Value, // {port}, {port:NAME}: the topology's
                };
            });

        private string Secret(string name)
        {
            lock (secrets)
            {
                if (!secrets.TryGetValue(name, out var value))
                {
                    value = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
                    secrets[name] = value;
                }

                return value;
            }
        }

        [GeneratedRegex(@"\{(?<name>[^{}]*)\}")]
        private static partial Regex Pattern();
    }
}
