using System.Globalization;
using System.Net;
using Chaos.Harness.Proxy;

namespace Chaos.Harness.Sut;

/// <summary>
/// One fault proxy per gateway instance, named after the instance (<c>gateway-1</c>, ...), run in-process by our
/// <see cref="FaultProxyServer"/> and driven through its Toxiproxy-compatible API with <see cref="ToxiproxyClient"/>
/// (so a scenario's faults would drive a real Toxiproxy the same way). Devices connect to <see cref="HubUrls"/>.
/// A gateway restart keeps its port, so a proxy's upstream stays valid. Disposing closes every proxied connection.
/// </summary>
public sealed class GatewayProxies : IAsyncDisposable
{
    private readonly FaultProxyServer _server;
    private readonly Dictionary<string, string> _byHub;

    private GatewayProxies(FaultProxyServer server, ToxiproxyClient client, IReadOnlyList<string> names, IReadOnlyList<Uri> hubUrls)
    {
        _server = server;
        Client = client;
        Names = names;
        HubUrls = hubUrls;
        _byHub = names.Select((n, i) => (n, i)).ToDictionary(p => hubUrls[p.i].GetLeftPart(UriPartial.Authority), p => p.n, StringComparer.Ordinal);
    }

    /// <summary>The API client for toxics, per-connection faults and cuts.</summary>
    public ToxiproxyClient Client { get; }

    /// <summary>The API's base address (a run could hand it to <c>chaos proxy</c>-style tooling).</summary>
    public Uri ApiAddress => _server.ApiAddress;

    /// <summary>Proxy names, one per gateway instance, in gateway order (the names of the gateway nodes).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The hub URL of each proxy, in gateway order.</summary>
    public IReadOnlyList<Uri> HubUrls { get; }

    /// <summary>The proxy a device's hub URL goes through.</summary>
    public string NameFor(Uri hub) =>
        _byHub.TryGetValue(hub.GetLeftPart(UriPartial.Authority), out var name) ? name : throw new ArgumentException($"{hub} is not behind a gateway proxy", nameof(hub));

    /// <summary>Starts the proxy server on a loopback port and one proxy per gateway on another.</summary>
    public static async Task<GatewayProxies> StartAsync(ReferenceSystemDeployment system, long seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        var server = await FaultProxyServer.StartAsync(new FaultProxyServerOptions { Seed = unchecked((int)seed) }, cancellationToken);
        var client = new ToxiproxyClient(server.ApiAddress);
        try
        {
            var names = new List<string>();
            var hubs = new List<Uri>();
            foreach (var gateway in system.Gateways)
            {
                var upstream = gateway.Endpoint ?? throw new InvalidOperationException($"{gateway.Name} has no endpoint");
                var proxy = await client.CreateProxyAsync(
                    gateway.Name,
                    "127.0.0.1:0",
                    upstream.Host + ":" + upstream.Port.ToString(CultureInfo.InvariantCulture),
                    enabled: true,
                    cancellationToken);
                names.Add(proxy.Name);
                hubs.Add(new Uri($"http://{IPEndPoint.Parse(proxy.Listen)}/hub"));
            }

            return new GatewayProxies(server, client, names, hubs);
        }
        catch
        {
            client.Dispose();
            await server.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _server.DisposeAsync();
    }
}
