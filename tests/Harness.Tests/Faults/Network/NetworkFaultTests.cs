using System.Diagnostics;
using System.Net.Sockets;
using Chaos.Harness.Faults;
using Chaos.Harness.Faults.Network;
using Chaos.Harness.Proxy;
using Chaos.Harness.Tests.Support;

namespace Chaos.Harness.Tests.Faults.Network;

/// <summary>Network faults as <see cref="IFault"/>: apply takes effect, heal undoes it, heal is idempotent.</summary>
public sealed class NetworkFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ToxicFault_ApplyAddsTheToxic_HealRemovesIt_Twice()
    {
        await using var upstream = TcpTestServer.Echo();
        await using var proxy = await ProxyTestContext.StartAsync();
        var listen = await proxy.CreateProxyAsync("gw", upstream.Address);
        using var client = await SocketTestExtensions.ConnectAsync(listen);
        IFault fault = new ToxicFault(proxy.Client, "gw", Toxic.Latency(1500));

        await fault.ApplyAsync(Ct);
        var applied = await RoundTripAsync(client);
        await fault.HealAsync(Ct);
        await fault.HealAsync(Ct);
        var healed = await Fastest.OfAsync(() => RoundTripAsync(client));

        fault.Name.Should().Be("latency");
        fault.Target.Should().Be("gw");
        applied.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(1485));
        healed.Should().BeLessThan(TimeSpan.FromMilliseconds(1000), "healed: no 1.5 s toxic (the margin is for a loaded CI machine)");
        (await proxy.Client.GetToxicsAsync("gw", Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task ToxicFault_HealWithoutApply_Succeeds()
    {
        await using var proxy = await ProxyTestContext.StartAsync();
        await proxy.CreateProxyAsync("gw", "127.0.0.1:9");

        var heal = () => new ToxicFault(proxy.Client, "gw", Toxic.Timeout(0)).HealAsync(Ct);
        var healMissingProxy = () => new ToxicFault(proxy.Client, "gone", Toxic.Timeout(0)).HealAsync(Ct);

        await heal.Should().NotThrowAsync();
        await healMissingProxy.Should().NotThrowAsync();
    }

    [Fact]
    public async Task ToxicFault_ApplyWithBadInput_ThrowsAndLeavesNothingApplied()
    {
        await using var proxy = await ProxyTestContext.StartAsync();
        await proxy.CreateProxyAsync("gw", "127.0.0.1:9");
        var fault = new ToxicFault(proxy.Client, "gw", new ToxicSpec("no_such_toxic", new Dictionary<string, long>()));

        var apply = () => fault.ApplyAsync(Ct);

        await apply.Should().ThrowAsync<ToxiproxyBadRequestException>();
        (await proxy.Client.GetToxicsAsync("gw", Ct)).Should().BeEmpty();
    }

    [Fact]
    public async Task ProxyDownFault_ApplyRefusesConnections_HealRestoresThem()
    {
        await using var upstream = TcpTestServer.Echo();
        await using var proxy = await ProxyTestContext.StartAsync();
        var listen = await proxy.CreateProxyAsync("gw", upstream.Address);
        IFault fault = new ProxyDownFault(proxy.Client, "gw");

        await fault.ApplyAsync(Ct);
        var connect = async () => { using var s = await SocketTestExtensions.ConnectAsync(listen); };
        await connect.Should().ThrowAsync<SocketException>();
        await fault.HealAsync(Ct);
        await fault.HealAsync(Ct);
        using var client = await SocketTestExtensions.ConnectAsync(listen);

        (await Fastest.OfAsync(() => RoundTripAsync(client))).Should().BeLessThan(TimeSpan.FromSeconds(2));
        (await proxy.Client.GetProxyAsync("gw", Ct)).Enabled.Should().BeTrue();
    }

    [Fact]
    public async Task ConnectionCutFault_ResetsMidFrame_AndHealIsANoOp()
    {
        await using var upstream = TcpTestServer.Manual();
        await using var proxy = await ProxyTestContext.StartAsync();
        var listen = await proxy.CreateProxyAsync("gw", upstream.Address);
        using var client = await SocketTestExtensions.ConnectAsync(listen);
        using var server = await upstream.AcceptAsync();
        await server.SendAllAsync([1]);
        await client.ReceiveExactlyAsync(1);
        var fault = new ConnectionCutFault(proxy.Client, "gw", ConnectionCut.ResetAfter(5));

        await fault.ApplyAsync(Ct);
        await server.SendAllAsync(new byte[50]);
        var (data, _, end) = await client.ReceiveToEndAsync(TimeSpan.FromSeconds(10));
        await fault.HealAsync(Ct);

        fault.Name.Should().Be("reset-mid-frame");
        fault.CutConnections.Should().ContainSingle();
        data.Should().HaveCount(5);
        end.Should().Be(StreamEnd.Reset);
    }

    [Fact]
    public async Task ConnectionToxicFault_SlowsOneConnection_HealRestoresIt_HealAfterCloseSucceeds()
    {
        await using var upstream = TcpTestServer.Echo();
        await using var proxy = await ProxyTestContext.StartAsync();
        var listen = await proxy.CreateProxyAsync("gw", upstream.Address);
        var client = await SocketTestExtensions.ConnectAsync(listen);
        await RoundTripAsync(client);
        var id = (await proxy.Client.GetConnectionsAsync("gw", Ct)).Single().Id;
        IFault fault = new ConnectionToxicFault(proxy.Client, "gw", id, Toxic.Latency(1500, stream: ToxicStream.Upstream));

        await fault.ApplyAsync(Ct);
        var applied = await RoundTripAsync(client);
        await fault.HealAsync(Ct);
        var healed = await Fastest.OfAsync(() => RoundTripAsync(client));
        client.Dispose();
        await fault.HealAsync(Ct);

        applied.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(1485));
        healed.Should().BeLessThan(TimeSpan.FromMilliseconds(1000), "healed: no 1.5 s toxic (the margin is for a loaded CI machine)");
    }

    private static async Task<TimeSpan> RoundTripAsync(Socket client)
    {
        var watch = Stopwatch.StartNew();
        await client.SendAllAsync("ping"u8.ToArray());
        (await client.ReceiveExactlyAsync(4)).Should().Equal("ping"u8.ToArray());
        return watch.Elapsed;
    }
}
