using System.Net.Sockets;

namespace Chaos.Harness.Tests.Faults.Network;

/// <summary>Proxy updates and deletion as Toxiproxy documents them: a new address restarts the proxy and drops connections.</summary>
public sealed class ProxyLifecycleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task UpdateListen_MovesTheProxy_AndDropsItsConnections()
    {
        await using var upstream = TcpTestServer.Echo();
        await using var proxy = await ProxyTestContext.StartAsync();
        var oldListen = await proxy.CreateProxyAsync("gw", upstream.Address);
        using var old = await SocketTestExtensions.ConnectAsync(oldListen);

        var moved = await proxy.Client.UpdateProxyAsync("gw", "127.0.0.1:0", null, null, Ct);
        var (_, _, end) = await old.ReceiveToEndAsync(TimeSpan.FromSeconds(5));
        using var fresh = await SocketTestExtensions.ConnectAsync(moved.Listen);
        await fresh.SendAllAsync("ping"u8.ToArray());
        var echoed = await fresh.ReceiveExactlyAsync(4);
        var connectOld = async () => { using var s = await SocketTestExtensions.ConnectAsync(oldListen); };

        moved.Listen.Should().NotBe(oldListen);
        moved.Enabled.Should().BeTrue();
        end.Should().BeOneOf(StreamEnd.Eof, StreamEnd.Reset);
        echoed.Should().Equal("ping"u8.ToArray());
        await connectOld.Should().ThrowAsync<SocketException>();
    }

    [Fact]
    public async Task DeleteProxy_ClosesItsConnectionsAndItsPort()
    {
        await using var upstream = TcpTestServer.Echo();
        await using var proxy = await ProxyTestContext.StartAsync();
        var listen = await proxy.CreateProxyAsync("gw", upstream.Address);
        using var client = await SocketTestExtensions.ConnectAsync(listen);

        await proxy.Client.DeleteProxyAsync("gw", Ct);
        var (_, _, end) = await client.ReceiveToEndAsync(TimeSpan.FromSeconds(5));
        var connect = async () => { using var s = await SocketTestExtensions.ConnectAsync(listen); };

        end.Should().BeOneOf(StreamEnd.Eof, StreamEnd.Reset);
        await connect.Should().ThrowAsync<SocketException>();
    }

    [Fact]
    public async Task UnreachableUpstream_ClosesTheClient()
    {
        await using var proxy = await ProxyTestContext.StartAsync();

        // A port that was just free: nothing listens there, so the upstream connect is refused.
        string closed;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
            closed = probe.LocalEndPoint!.ToString()!;
        }

        var listen = await proxy.CreateProxyAsync("gw", closed);
        using var client = await SocketTestExtensions.ConnectAsync(listen);
        var (_, _, end) = await client.ReceiveToEndAsync(TimeSpan.FromSeconds(10));

        end.Should().BeOneOf(StreamEnd.Eof, StreamEnd.Reset);
    }
}
