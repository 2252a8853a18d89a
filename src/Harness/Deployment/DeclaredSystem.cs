namespace Chaos.Harness.Deployment;

/// <summary>
/// A system under test described without code (docs/systems.md, "Nodes without code"): its nodes, the Kafka topics and
/// consumer groups it uses, and how the harness drives it — the reference protocol (HTTP api, SignalR hub), with its
/// paths and hub methods as the file says. What a system file's <c>nodes:</c>, <c>topics:</c>, <c>groups:</c> and
/// <c>client:</c> say, checked whole when read (<see cref="SystemFile"/>); the reference system's adapter assembly
/// deploys and drives it (<c>Chaos.Reference.Adapter.DeclaredSystemAdapter</c>).
/// </summary>
public sealed record DeclaredSystem
{
    /// <summary>The placeholders a node's arguments and environment may hold, besides the topology's <c>{port}</c> and <c>{port:NAME}</c>.</summary>
    public static IReadOnlyList<string> Placeholders { get; } = ["name", "role", "instance", "kafka", "run", "dir", "seed", "secret:NAME"];

    /// <summary>The roles in start order: each role's instances start together once the roles before it are ready.</summary>
    public required IReadOnlyList<DeclaredNode> Nodes { get; init; }

    /// <summary>The topics the system uses (made on the embedded cluster, or checked and made on an existing one).</summary>
    public IReadOnlyList<KafkaTopic> Topics { get; init; } = [];

    /// <summary>The consumer groups its roles form (Kafka faults aim at them; the drain waits for their lag).</summary>
    public IReadOnlyList<KafkaConsumerGroup> Groups { get; init; } = [];

    /// <summary>How the harness reaches the system.</summary>
    public required DeclaredClient Client { get; init; }

    /// <summary>The directory of the system file: <c>{dir}</c>, and what a relative <c>command</c> is relative to.</summary>
    public required string Directory { get; init; }

    /// <summary>The role named <paramref name="role"/>; null when the file declares none.</summary>
    public DeclaredNode? Node(string role) => Nodes.FirstOrDefault(n => n.Role == role);
}

/// <summary>One role of a <see cref="DeclaredSystem"/>: how each of its instances is started and when it is ready.</summary>
public sealed record DeclaredNode
{
    /// <summary>The role (letters, digits, '.', '_', '-'); its instances are <c>role-1</c>..<c>role-N</c>.</summary>
    public required string Role { get; init; }

    /// <summary>The program: a path relative to the system file when it holds a '/', else a name found on PATH.</summary>
    public required string Command { get; init; }

    /// <summary>Its arguments, placeholders not yet replaced; at least one holds <c>{port}</c>, the node's endpoint.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Environment variables on top of the harness's own, placeholders not yet replaced (secrets go here, never in arguments).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The path the node answers 2xx on once it serves (<c>GET</c> on its endpoint).</summary>
    public required string Ready { get; init; }

    /// <summary>Instances started with the deployment, unless a scenario asks for another count (1..16).</summary>
    public int Instances { get; init; } = 1;

    /// <summary>How long one instance may take to become ready.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// How the harness drives a <see cref="DeclaredSystem"/>: the reference protocol (docs/reference-system.md, "HTTP api"
/// and "The hub") — sends as HTTP POSTs to the <see cref="Api"/> role, devices on a SignalR hub of the
/// <see cref="Devices"/> role — with the paths and hub methods the system uses.
/// </summary>
public sealed record DeclaredClient
{
    /// <summary>The role whose instances take sends (a send goes to one chosen by its route; reads to the first that answers).</summary>
    public required string Api { get; init; }

    /// <summary>The role whose instances serve devices.</summary>
    public required string Devices { get; init; }

    /// <summary>The hub's path on each device node.</summary>
    public string Hub { get; init; } = "/hub";

    /// <summary>
    /// The key the harness presents as <c>Authorization: AdminKey …</c> to issue its users' tokens and send
    /// notifications — usually <c>{secret:NAME}</c>, the fresh value the run also hands the nodes.
    /// </summary>
    public required string AdminKey { get; init; }

    /// <summary>POST a user, answered with <c>{"token": …}</c>.</summary>
    public string TokenPath { get; init; } = "/token";

    /// <summary>POST a chat message with the sender's token.</summary>
    public string MessagesPath { get; init; } = "/messages";

    /// <summary>POST a notification with the admin key.</summary>
    public string NotificationsPath { get; init; } = "/notifications";

    /// <summary>GET a user's inbox with the owner's token; <c>{user}</c> stands for the user.</summary>
    public string InboxPath { get; init; } = "/users/{user}/inbox";

    /// <summary>The hub method the server calls with each frame.</summary>
    public string DeliverMethod { get; init; } = "Deliver";

    /// <summary>The hub method the client acknowledges with.</summary>
    public string AckMethod { get; init; } = "Ack";

    /// <summary>The hub method the client resumes from its stored position with.</summary>
    public string ResumeMethod { get; init; } = "Resume";
}
