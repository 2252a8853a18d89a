using Chaos.Harness.Proxy;

namespace Chaos.Harness.Tests.Faults.Network;

/// <summary>Our fault proxy server with a client for its API, and a helper to put a proxy in front of an upstream.</summary>
internal sealed class ProxyTestContext : IAsyncDisposable
{
    private ProxyTestContext(FaultProxyServer server)
    {
        Server = server;
        Client = new ToxiproxyClient(server.ApiAddress);
    }

    public FaultProxyServer Server { get; }

    public ToxiproxyClient Client { get; }

    public static async Task<ProxyTestContext> StartAsync(int seed = 1) =>
        new(await FaultProxyServer.StartAsync(new FaultProxyServerOptions { Seed = seed }, TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(30)));

    /// <summary>Creates proxy <paramref name="name"/> on an ephemeral loopback port; returns its listen address.</summary>
    public async Task<string> CreateProxyAsync(string name, string upstream)
    {
        var proxy = await Client.CreateProxyAsync(name, "127.0.0.1:0", upstream, true, TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(10));
        return proxy.Listen;
    }

    public Task<ToxicInfo> AddToxicAsync(string proxy, ToxicSpec toxic) =>
        Client.AddToxicAsync(proxy, toxic, TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(15));
    }
}
