using System.Globalization;
using System.Net;
using Chaos.Harness.Deployment;

namespace Chaos.Harness.Proxy;

/// <summary>
/// One fault proxy in front of each instance that serves devices (<see cref="ISystemDeployment.DeviceRole"/>), named
/// after the instance (<c>gateway-1</c>, ...), run in-process by our <see cref="FaultProxyServer"/> and driven through
/// its Toxiproxy-compatible API with <see cref="ToxiproxyClient"/> (so a scenario's faults would drive a real Toxiproxy
/// the same way). Devices connect to <see cref="HubUrls"/>: each device endpoint with the proxy's address in place of
/// the instance's. An instance's restart keeps its port, so a proxy's upstream stays valid. Disposing closes every
/// proxied connection.
/// </summary>
public sealed class DeviceProxies : IAsyncDisposable
{
    private readonly FaultProxyServer _server;
    private readonly Dictionary<string, string> _byHub;

    private DeviceProxies(FaultProxyServer server, ToxiproxyClient client, IReadOnlyList<string> names, IReadOnlyList<Uri> hubUrls)
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

    /// <summary>Proxy names, one per device endpoint, in instance order (the names of the instances behind them).</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The device endpoint through each proxy, in instance order.</summary>
    public IReadOnlyList<Uri> HubUrls { get; }

    /// <summary>The proxy a device's hub URL goes through.</summary>
    public string NameFor(Uri hub) =>
        _byHub.TryGetValue(hub.GetLeftPart(UriPartial.Authority), out var name) ? name : throw new ArgumentException($"{hub} is not behind a device proxy", nameof(hub));

    /// <summary>Starts the proxy server on a loopback port and one proxy per device endpoint on another.</summary>
    public static async Task<DeviceProxies> StartAsync(ISystemDeployment system, long seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        var instances = system.InstancesOf(system.DeviceRole);
        if (instances.Count < system.DeviceEndpoints.Count)
        {
            throw new InvalidOperationException($"{system.DeviceEndpoints.Count} device endpoints but {instances.Count} instances of {system.DeviceRole} to name their proxies after");
        }

        var server = await FaultProxyServer.StartAsync(new FaultProxyServerOptions { Seed = SeedStreams.DeriveInt(seed, SeedStreams.Proxy) }, cancellationToken);
        var client = new ToxiproxyClient(server.ApiAddress);
        try
        {
            var names = new List<string>();
            var hubs = new List<Uri>();
            for (var i = 0; i < system.DeviceEndpoints.Count; i++)
            {
                var upstream = system.DeviceEndpoints[i];
                var proxy = await client.CreateProxyAsync(
                    instances[i].Name,
                    "127.0.0.1:0",
                    upstream.Host + ":" + upstream.Port.ToString(CultureInfo.InvariantCulture),
                    enabled: true,
                    cancellationToken);
                var listen = IPEndPoint.Parse(proxy.Listen);
                names.Add(proxy.Name);
                hubs.Add(new UriBuilder(upstream) { Host = listen.Address.ToString(), Port = listen.Port }.Uri);
            }

            return new DeviceProxies(server, client, names, hubs);
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
