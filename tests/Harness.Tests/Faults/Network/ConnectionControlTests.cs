using System.Diagnostics;
using Chaos.Harness.Proxy;
using Chaos.Harness.Tests.Support;

namespace Chaos.Harness.Tests.Faults.Network;

/// <summary>Our per-connection extension: list a proxy's connections, put a toxic on one, cut one mid-frame.</summary>
public sealed class ConnectionControlTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetConnections_ListsEachClientByItsAddress()
    {
        await using var upstream = TcpTestServer.Echo();
        await using var proxy = await ProxyTestContext.StartAsync();
        var listen = await proxy.CreateProxyAsync("gw", upstream.Address);
        using var a = await SocketTestExtensions.ConnectAsync(listen);
        using var b = await SocketTestExtensions.ConnectAsync(listen);
        await RoundTripAsync(a);
        await RoundTripAsync(b);

        var connections = await ConnectionsOnceCountedAsync(proxy, expected: 2, bytesEachWay: 4);

        connections.Select(c => c.Client).Should().BeEquivalentTo(a.LocalEndPoint!.ToString(), b.LocalEndPoint!.ToString());
        connections.Should().OnlyContain(c => c.BytesUpstream == 4 && c.BytesDownstream == 4);
    }

    [Fact]
    public async Task CutAfterBytes_DeliversExactlyThoseBytesThenResets()
    {
        await using var one = await OneProxiedConnectionAsync();
        var (proxy, client, server, connection) = (one.Proxy, one.Client, one.Server, one.Connection);
        var frame = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();

        await proxy.Client.CutConnectionAsync("gw", connection.Id, ConnectionCut.ResetAfter(10), Ct);
        await server.SendAllAsync(frame);
        var (data, _, end) = await client.ReceiveToEndAsync(TimeSpan.FromSeconds(10));

        data.Should().Equal(frame[..10], "the cut lands in the middle of the frame");
        end.Should().Be(StreamEnd.Reset);
    }

    [Fact]
    public async Task CutNow_ResetsOnlyThatConnection()
    {
        await using var upstream = TcpTestServer.Echo();
        await using var proxy = await ProxyTestContext.StartAsync();
        var listen = await proxy.CreateProxyAsync("gw", upstream.Address);
        using var victim = await SocketTestExtensions.ConnectAsync(listen);
        using var bystander = await SocketTestExtensions.ConnectAsync(listen);
        await RoundTripAsync(victim);
        await RoundTripAsync(bystander);
        var connections = await proxy.Client.GetConnectionsAsync("gw", Ct);
        var target = connections.Single(c => c.Client == victim.LocalEndPoint!.ToString());

        await proxy.Client.CutConnectionAsync("gw", target.Id, ConnectionCut.ResetNow, Ct);
        var (_, _, end) = await victim.ReceiveToEndAsync(TimeSpan.FromSeconds(10));

        end.Should().Be(StreamEnd.Reset);
        (await Fastest.OfAsync(() => RoundTripAsync(bystander))).Should().BeLessThan(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task ConnectionToxic_AffectsOnlyThatConnection_AndIsRemovable()
    {
        await using var upstream = TcpTestServer.Echo();
        await using var proxy = await ProxyTestContext.StartAsync();
        var listen = await proxy.CreateProxyAsync("gw", upstream.Address);
        using var slow = await SocketTestExtensions.ConnectAsync(listen);
        using var fast = await SocketTestExtensions.ConnectAsync(listen);
        await RoundTripAsync(slow);
        await RoundTripAsync(fast);
        var target = (await proxy.Client.GetConnectionsAsync("gw", Ct)).Single(c => c.Client == slow.LocalEndPoint!.ToString());

        var toxic = await proxy.Client.AddConnectionToxicAsync("gw", target.Id, Toxic.Latency(1500), Ct);
        var slowTrip = await RoundTripAsync(slow);
        var fastTrip = await Fastest.OfAsync(() => RoundTripAsync(fast));
        await proxy.Client.RemoveConnectionToxicAsync("gw", target.Id, toxic.Name, Ct);
        var healedTrip = await Fastest.OfAsync(() => RoundTripAsync(slow));

        slowTrip.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(1485));
        fastTrip.Should().BeLessThan(TimeSpan.FromMilliseconds(1000), "no 1.5 s toxic on this connection (the margin is for a loaded CI machine)");
        healedTrip.Should().BeLessThan(TimeSpan.FromMilliseconds(1000), "the toxic was removed");
        (await proxy.Client.GetProxyAsync("gw", Ct)).Toxics.Should().BeEmpty("the proxy itself has no toxic");
    }

    [Fact]
    public async Task ConnectionToxic_NamedLikeAProxyToxic_KeepsItsOwnSettings()
    {
        await using var one = await OneProxiedConnectionAsync();
        var (proxy, client, server, target) = (one.Proxy, one.Client, one.Server, one.Connection);
        var payload = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();

        // Both are named limit_data_downstream; the proxy's 100-byte limit must still hold.
        await proxy.AddToxicAsync("gw", Toxic.LimitData(100));
        await proxy.Client.AddConnectionToxicAsync("gw", target.Id, Toxic.LimitData(1000), Ct);
        await server.SendAllAsync(payload);
        var (data, _, end) = await client.ReceiveToEndAsync(TimeSpan.FromSeconds(10));

        data.Should().Equal(payload[..100]);
        end.Should().Be(StreamEnd.Eof);
    }

    [Fact]
    public async Task StallToxic_HoldsWhatTheServerSends_UnreadInTheKernel_WhileTheClientStillSends_ThenReleasesItInOrder()
    {
        await using var one = await OneProxiedConnectionAsync();
        var (proxy, client, server, target) = (one.Proxy, one.Client, one.Server, one.Connection);
        var first = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var second = Enumerable.Range(0, 1000).Select(i => (byte)(255 - (i % 256))).ToArray();

        var toxic = await proxy.Client.AddConnectionToxicAsync("gw", target.Id, Toxic.Stall(), Ct);
        await server.SendAllAsync(first);
        await Task.Delay(200, Ct);
        await server.SendAllAsync(second);
        var stalled = await ConnectionWhenAsync(proxy, c => c.Held.Downstream + c.Unread.Downstream == 2000);
        await Task.Delay(300, Ct);
        var clientGotDuringStall = client.Available;
        await client.SendAllAsync("ping"u8.ToArray());
        var serverGot = await server.ReceiveExactlyAsync(4, TimeSpan.FromSeconds(5));
        await proxy.Client.RemoveConnectionToxicAsync("gw", target.Id, toxic.Name, Ct);
        var released = await client.ReceiveExactlyAsync(2000, TimeSpan.FromSeconds(10));

        clientGotDuringStall.Should().Be(0, "nothing passes a stall");
        stalled.BytesDownstream.Should().Be(0);
        stalled.Unread.Downstream.Should().BePositive("the proxy stopped reading: the server's bytes wait in its socket buffer");
        serverGot.Should().Equal("ping"u8.ToArray(), "only the server-to-client direction stalls");
        released.Should().Equal([.. first, .. second], "at the removal the held bytes flow on, in order");
    }

    [Fact]
    public async Task StallToxic_ClosesTheWindow_ASendingServerBlocks_UntilTheStallIsRemoved()
    {
        await using var one = await OneProxiedConnectionAsync();
        var (proxy, client, server, target) = (one.Proxy, one.Client, one.Server, one.Connection);

        // More than any socket buffer on the way can take (the kernel's tcp_wmem and tcp_rmem maxima are 4 and 6 MiB).
        var payload = new byte[24 << 20];
        new Random(7).NextBytes(payload);
        var toxic = await proxy.Client.AddConnectionToxicAsync("gw", target.Id, Toxic.Stall(), Ct);
        await ConnectionWhenAsync(proxy, c => c.Toxics.Count == 1);
        var sending = server.SendAllAsync(payload);
        await Task.Delay(1500, Ct);
        var blocked = !sending.IsCompleted;
        var stalled = await ConnectionWhenAsync(proxy, c => c.Unread.Downstream > 0);
        await proxy.Client.RemoveConnectionToxicAsync("gw", target.Id, toxic.Name, Ct);
        var received = await client.ReceiveExactlyAsync(payload.Length, TimeSpan.FromSeconds(60));
        await sending.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        blocked.Should().BeTrue("with the window closed the server's send cannot complete");
        stalled.BytesDownstream.Should().Be(0);
        received.AsSpan().SequenceEqual(payload).Should().BeTrue("every byte arrives once the stall is removed, in order");
    }

    [Fact]
    public async Task UnknownConnection_Answers404()
    {
        await using var upstream = TcpTestServer.Echo();
        await using var proxy = await ProxyTestContext.StartAsync();
        await proxy.CreateProxyAsync("gw", upstream.Address);

        var cut = async () => await proxy.Client.CutConnectionAsync("gw", 42, ConnectionCut.ResetNow, Ct);

        (await cut.Should().ThrowAsync<ToxiproxyNotFoundException>()).Which.ApiMessage.Should().Be("connection not found");
    }

    /// <summary>A manual server behind a proxy named <c>gw</c>, one client connected through it, the server's socket for it,
    /// and the proxy's record of that connection.</summary>
    private static async Task<OneConnection> OneProxiedConnectionAsync()
    {
        var upstream = TcpTestServer.Manual();
        ProxyTestContext? proxy = null;
        System.Net.Sockets.Socket? client = null, server = null;
        try
        {
            proxy = await ProxyTestContext.StartAsync();
            var listen = await proxy.CreateProxyAsync("gw", upstream.Address);
            client = await SocketTestExtensions.ConnectAsync(listen);
            server = await upstream.AcceptAsync();
            return new OneConnection(upstream, proxy, client, server, await SingleConnectionAsync(proxy));
        }
        catch
        {
            client?.Dispose();
            server?.Dispose();
            if (proxy is not null)
            {
                await proxy.DisposeAsync();
            }

            await upstream.DisposeAsync();
            throw;
        }
    }

    private static async Task<ConnectionInfo> SingleConnectionAsync(ProxyTestContext proxy)
    {
        // The proxy registers a connection once its upstream connect completed, just after the accept.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var connections = await proxy.Client.GetConnectionsAsync("gw", Ct);
            if (connections.Count == 1)
            {
                return connections[0];
            }

            await Task.Delay(20, Ct);
        }

        throw new TimeoutException("the proxy never listed the connection");
    }

    private static async Task<ConnectionInfo> ConnectionWhenAsync(ProxyTestContext proxy, Func<ConnectionInfo, bool> condition)
    {
        ConnectionInfo? last = null;
        for (var attempt = 0; attempt < 250; attempt++)
        {
            last = (await proxy.Client.GetConnectionsAsync("gw", Ct)).Single();
            if (condition(last))
            {
                return last;
            }

            await Task.Delay(20, Ct);
        }

        throw new TimeoutException($"the connection never reached the expected state (last: {last})");
    }

    private static async Task<IReadOnlyList<ConnectionInfo>> ConnectionsOnceCountedAsync(ProxyTestContext proxy, int expected, long bytesEachWay)
    {
        // A pump counts its bytes after the send completed, so the echo can reach the client before the
        // upstream pump has added its 4: read the counts until they settle (bounded), then assert on the last list.
        IReadOnlyList<ConnectionInfo> connections = [];
        for (var attempt = 0; attempt < 100; attempt++)
        {
            connections = await proxy.Client.GetConnectionsAsync("gw", Ct);
            if (connections.Count == expected && connections.All(c => c.BytesUpstream == bytesEachWay && c.BytesDownstream == bytesEachWay))
            {
                break;
            }

            await Task.Delay(20, Ct);
        }

        return connections;
    }

    private static async Task<TimeSpan> RoundTripAsync(System.Net.Sockets.Socket client)
    {
        var watch = Stopwatch.StartNew();
        await client.SendAllAsync("ping"u8.ToArray());
        (await client.ReceiveExactlyAsync(4)).Should().Equal("ping"u8.ToArray());
        return watch.Elapsed;
    }

    private sealed record OneConnection(TcpTestServer Upstream, ProxyTestContext Proxy, System.Net.Sockets.Socket Client, System.Net.Sockets.Socket Server, ConnectionInfo Connection)
        : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            Server.Dispose();
            await Proxy.DisposeAsync();
            await Upstream.DisposeAsync();
        }
    }
}
