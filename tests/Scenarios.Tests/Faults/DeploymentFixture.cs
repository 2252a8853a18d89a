using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Processes;
using Chaos.Reference.Adapter;

namespace Chaos.Scenarios.Tests.Faults;

/// <summary>One real deployment of the reference system (Kafka host and one instance per role) shared by a fault test class.</summary>
public sealed class DeploymentFixture : IAsyncLifetime
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "chaos-fault-tests", Guid.NewGuid().ToString("N")[..8]);
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private ProcessTopology? _topology;

    public ReferenceSystemDeployment System { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(20) };

    public ITopologyNode Node(string name) => System.Roles.Single(n => n.Name == name);

    public async ValueTask InitializeAsync()
    {
        _topology = new ProcessTopology(new ProcessTopologyOptions { RunDirectory = _dir });
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        System = await ReferenceSystemDeployment.StartAsync(
            _topology,
            new ReferenceSystemOptions { ApiInstances = 1, NotifierInstances = 1, GatewayInstances = 1, JobsInstances = 1 },
            bound.Token);

        // users exist once they have been issued a token (to the admin key, as the harness does); the failpoint tests
        // send messages from u1 to u2, as u1
        foreach (var user in new[] { "u1", "u2" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(System.ApiUrls[0], "/token")) { Content = JsonContent.Create(new { user, ttlSeconds = 3600 }) };
            request.Headers.Authorization = System.Credentials.AdminAuthorization();
            using var response = await Http.SendAsync(request, bound.Token);
            response.EnsureSuccessStatusCode();
            _tokens[user] = (await response.Content.ReadFromJsonAsync<JsonElement>(bound.Token)).GetProperty("token").GetString()!;
        }
    }

    /// <summary><c>Authorization: Bearer</c> with <paramref name="user"/>'s token (u1 or u2).</summary>
    public AuthenticationHeaderValue UserAuthorization(string user) => SystemCredentials.UserAuthorization(_tokens[user]);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (_topology is not null)
        {
            await _topology.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
