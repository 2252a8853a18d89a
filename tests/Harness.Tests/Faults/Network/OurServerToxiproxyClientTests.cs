using Chaos.Harness.Proxy;

namespace Chaos.Harness.Tests.Faults.Network;

/// <summary>The client spec against our fault proxy server.</summary>
public sealed class OurServerToxiproxyClientTests : ToxiproxyClientSpec
{
    private ProxyTestContext? _proxy;

    [Fact]
    public async Task GetVersion_ReturnsOurVersion()
    {
        (await Client.GetVersionAsync(TestContext.Current.CancellationToken)).Should().Be(FaultProxyServer.Version);
    }

    protected override async Task<ToxiproxyClient?> ConnectAsync()
    {
        _proxy = await ProxyTestContext.StartAsync();
        return new ToxiproxyClient(_proxy.Server.ApiAddress);
    }

    protected override async ValueTask DisconnectAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }
    }
}
