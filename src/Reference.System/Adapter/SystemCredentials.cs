using System.Buffers.Text;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Chaos.Harness.Topology;

namespace Chaos.Reference.Adapter;

/// <summary>
/// The reference system's two secrets for one deployment (docs/security.md): the JWT signing key, held by the roles
/// that issue and check user tokens (api, gateway), and the admin key, held by every role and by the harness, which
/// presents it to issue its users' tokens, to send notifications and jobs, and to read metrics, failpoints and
/// presence. Fresh random 256-bit values per deployment; handed to the roles in their environment
/// (<see cref="JwtKeyVariable"/>, <see cref="AdminKeyVariable"/>), never on a command line, where <c>ps</c> shows
/// it to every user of the machine. <see cref="ToString"/> never prints them.
/// </summary>
public sealed class SystemCredentials
{
    /// <summary>The environment variable a role reads its JWT key from.</summary>
    public const string JwtKeyVariable = "REFSYS_JWT_KEY";

    /// <summary>The environment variable a role reads its admin key from.</summary>
    public const string AdminKeyVariable = "REFSYS_ADMIN_KEY";

    /// <summary>The <c>Authorization</c> scheme of the admin key.</summary>
    public const string AdminScheme = "AdminKey";

    /// <summary>The shortest key a role accepts.</summary>
    public const int MinimumKeyLength = 16;

    /// <summary>Credentials with the given keys (tests that forge tokens need to know the JWT key).</summary>
    public SystemCredentials(string jwtKey, string adminKey)
    {
        Check(jwtKey, nameof(jwtKey));
        Check(adminKey, nameof(adminKey));
        JwtKey = jwtKey;
        AdminKey = adminKey;

        static void Check(string key, string name)
        {
            if (key is null || key.Length < MinimumKeyLength || key.Any(char.IsControl))
            {
                throw new ArgumentException($"{name} must be at least {MinimumKeyLength} characters without control characters", name);
            }
        }
    }

    public string JwtKey { get; }

    public string AdminKey { get; }

    /// <summary>Fresh random keys (256 bits each).</summary>
    public static SystemCredentials Generate() => new(RandomKey(), RandomKey());

    /// <summary>The environment a role instance is started with: the admin key for every role, the JWT key for api and gateway only.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentFor(string role) => role is "api" or "gateway"
        ? new Dictionary<string, string>(StringComparer.Ordinal) { [JwtKeyVariable] = JwtKey, [AdminKeyVariable] = AdminKey }
        : new Dictionary<string, string>(StringComparer.Ordinal) { [AdminKeyVariable] = AdminKey };

    /// <summary><c>Authorization: AdminKey …</c> for one request.</summary>
    public AuthenticationHeaderValue AdminAuthorization() => new(AdminScheme, AdminKey);

    /// <summary><c>Authorization: Bearer …</c> for one request as the token's user.</summary>
    public static AuthenticationHeaderValue UserAuthorization(string token) => new("Bearer", token);

    /// <summary>
    /// The admin key a role instance was started with (its spec's environment), as an <c>Authorization</c> header for
    /// one request; null for a node started without one. Callers that hold a node, not the deployment — a metrics
    /// read, a failpoint, the downstream fault — authorize with the very key that node was given.
    /// </summary>
    public static AuthenticationHeaderValue? AdminAuthorizationOf(ITopologyNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return AdminAuthorizationOf(node.Spec);
    }

    /// <summary>The admin key in <paramref name="spec"/>'s environment as an <c>Authorization</c> header; null when it holds none.</summary>
    public static AuthenticationHeaderValue? AdminAuthorizationOf(NodeSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Environment.TryGetValue(AdminKeyVariable, out var key) ? new AuthenticationHeaderValue(AdminScheme, key) : null;
    }

    /// <inheritdoc/>
    public override string ToString() => "SystemCredentials { JwtKey = <redacted>, AdminKey = <redacted> }";

    private static string RandomKey() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
