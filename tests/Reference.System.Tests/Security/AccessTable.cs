namespace Chaos.Reference.Tests.Security;

/// <summary>Who may call an endpoint (docs/security.md, "What each endpoint requires").</summary>
public enum Access
{
    /// <summary>Anyone: the health and readiness probes.</summary>
    Open,

    /// <summary>Anyone may ask, the handler wants a credential: the admin key or the user's own secret (POST /token).</summary>
    Login,

    /// <summary>A valid user token.</summary>
    User,

    /// <summary>A valid token of the user the route names.</summary>
    Owner,

    /// <summary>The admin key.</summary>
    Admin,
}

/// <summary>
/// The stated access of every endpoint of every role. The route-table test holds the running code to it, and the
/// probes use it to know which credential must be accepted where: an endpoint missing here fails the suite.
/// </summary>
internal static class AccessTable
{
    private static readonly (string Method, string Route, Access Access)[] Common =
    [
        ("GET", "/healthz", Access.Open),
        ("GET", "/readyz", Access.Open),
        ("GET", "/metrics", Access.Admin),
        ("*", "/metrics/prometheus", Access.Admin), // any method: OpenTelemetry maps its scrape endpoint so
        ("GET", "/admin/failpoints", Access.Admin),
        ("POST", "/admin/failpoints", Access.Admin),
        ("DELETE", "/admin/failpoints/{name}", Access.Admin),
    ];

    private static readonly Dictionary<string, (string Method, string Route, Access Access)[]> ByRole = new(StringComparer.Ordinal)
    {
        ["api"] =
        [
            ("POST", "/users", Access.Admin),
            ("POST", "/token", Access.Login),
            ("POST", "/messages", Access.User),
            ("POST", "/notifications", Access.Admin),
            ("POST", "/jobs", Access.Admin),
            ("GET", "/users/{id}/inbox", Access.Owner),
            ("GET", "/accounts/{id}", Access.Admin),
            ("GET", "/jobs/{key}", Access.Admin),
            ("GET", "/dlq", Access.Admin),
        ],
        ["gateway"] =
        [
            ("GET", "/presence", Access.Admin),
            ("*", "/hub/negotiate", Access.User),
            ("*", "/hub", Access.User), // any method: the WebSocket handshake, and the long-polling/SSE verbs SignalR answers
        ],
        ["notifier"] = [],
        ["jobs"] = [("POST", "/admin/downstream", Access.Admin)],
    };

    /// <summary>"role METHOD /route" → access.</summary>
    public static IReadOnlyDictionary<string, Access> Expected { get; } = ByRole
        .SelectMany(r => Common.Concat(r.Value).Select(e => (Key: $"{r.Key} {e.Method} {e.Route}", e.Access)))
        .ToDictionary(e => e.Key, e => e.Access, StringComparer.Ordinal);

    public static Access Of(RouteEntry entry) => Expected[entry.ToString()];

    /// <summary>The policy metadata an endpoint of that access carries.</summary>
    public static string PolicyOf(Access access) => access switch
    {
        Access.Open or Access.Login => "anonymous",
        Access.User or Access.Owner => "user",
        _ => "admin",
    };
}
