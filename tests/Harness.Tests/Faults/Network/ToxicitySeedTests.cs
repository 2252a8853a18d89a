using System.Diagnostics;
using System.Net.Sockets;
using Chaos.Harness.Proxy;

namespace Chaos.Harness.Tests.Faults.Network;

/// <summary>Toxicity picks connections at random, from the server's seed: the same seed picks the same ones.</summary>
public sealed class ToxicitySeedTests
{
    private const int Connections = 10;

    [Fact]
    public async Task Toxicity_WithTheSameSeed_AffectsTheSameConnections()
    {
        var first = await AffectedConnectionsAsync(seed: 7);
        var second = await AffectedConnectionsAsync(seed: 7);

        first.Should().Equal(second);
        first.Should().Contain(true).And.Contain(false, "a toxicity of 0.5 spares some of ten connections");
    }

    private static async Task<bool[]> AffectedConnectionsAsync(int seed)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var upstream = TcpTestServer.Echo();
        await using var proxy = await ProxyTestContext.StartAsync(seed);
        var listen = await proxy.CreateProxyAsync("gw", upstream.Address);
        var clients = new List<Socket>();
        try
        {
            // One at a time, so connection ids (from which each connection's randomness derives) follow this order.
            for (var i = 0; i < Connections; i++)
            {
                clients.Add(await SocketTestExtensions.ConnectAsync(listen));
                await WaitForConnectionsAsync(proxy, i + 1, ct);
            }

            await proxy.AddToxicAsync("gw", Toxic.Latency(400) with { Toxicity = 0.5f });
            var trips = await Task.WhenAll(clients.Select(RoundTripAsync));
            return [.. trips.Select(t => t >= TimeSpan.FromMilliseconds(300))];
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private static async Task WaitForConnectionsAsync(ProxyTestContext proxy, int count, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        while ((await proxy.Client.GetConnectionsAsync("gw", ct)).Count < count)
        {
            watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the proxy lists each accepted connection");
            await Task.Delay(10, ct);
        }
    }

    private static async Task<TimeSpan> RoundTripAsync(Socket client)
    {
        var watch = Stopwatch.StartNew();
        await client.SendAllAsync("ping"u8.ToArray());
        await client.ReceiveExactlyAsync(4);
        return watch.Elapsed;
    }
}
