using System.Net;
using Chaos.Harness.Devices;
using Chaos.Harness.Faults.Client;
using Chaos.Harness.Faults.Network;
using Chaos.Harness.History;
using Chaos.Harness.Proxy;
using Chaos.Harness.Topology.Processes;
using Chaos.Harness.Workload;
using Chaos.Reference.Adapter;

namespace Chaos.Scenarios.Tests.Network;

/// <summary>
/// Each device, connection and gateway fault applied and healed on its own against a real deployment (embedded
/// Kafka, one instance per role) with the gateway behind our fault proxy, as a run sets it up.
/// </summary>
public sealed class DeviceFaultTests : IAsyncDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(45);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "chaos-device-faults", Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task Every_device_and_gateway_fault_takes_effect_and_heals()
    {
        var ct = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(_dir);
        await using var history = HistoryWriter.Create(Path.Combine(_dir, "history.jsonl"), TimeProvider.System);
        await using var topology = new ProcessTopology(new ProcessTopologyOptions { RunDirectory = _dir });
        var system = await ReferenceSystemDeployment.StartAsync(
            topology,
            new ReferenceSystemOptions
            {
                ApiInstances = 1,
                NotifierInstances = 1,
                GatewayInstances = 1,
                JobsInstances = 1,
                Brokers = 1,
                ClientTimeoutMs = 3000,
            },
            ct);
        await using var proxies = await DeviceProxies.StartAsync(system, 1, ct);
        using var api = new ReferenceSystemApi(system, TimeSpan.FromSeconds(5));
        await using var workload = new ChatWorkload(
            api,
            proxies.HubUrls,
            ReferenceDeviceClients.Instance,
            history,
            new ChatWorkloadOptions { Users = 2, Devices = 1, SequenceDirectory = Path.Combine(_dir, "devices") },
            1);
        await workload.ConnectDevicesAsync(ct);
        (await workload.SettleAsync(TimeSpan.FromSeconds(60), ct)).Should().BeTrue("the system must carry a canary end to end");
        var u1 = workload.Devices.Single(d => d.User == "u1");
        var u2 = workload.Devices.Single(d => d.User == "u2");
        var proxy = proxies.NameFor(u1.Hub);
        proxy.Should().Be("gateway-1");
        (await proxies.Client.GetConnectionsAsync(proxy, ct)).Should().HaveCount(2, "both devices connect through the proxy");

        // One device's WebSocket reset in the middle of a frame: only that device reconnects.
        var cut = new DeviceCutFault(proxies.Client, proxy, u1, ConnectionCut.ResetAfter(5));
        await cut.ApplyAsync(ct);
        cut.CutConnection.Should().NotBeNull();
        await WaitAsync(() => u1.Reconnects == 1 && u1.Client.State == DeviceConnectionState.Connected, "u1 reconnects after its cut");
        u2.Reconnects.Should().Be(0, "the other device's connection was not touched");
        await cut.HealAsync(ct);

        // Network switch: the old connection goes silent at the proxy, the client reconnects from another port.
        var portBefore = ((IPEndPoint)u1.Client.LocalEndPoint!).Port;
        var change = new NetworkSwitchFault(u1, proxies.Client, proxy);
        await change.ApplyAsync(ct);
        await WaitAsync(() => u1.Reconnects == 2 && u1.Client.State == DeviceConnectionState.Connected, "u1 reconnects after its network switched");
        ((IPEndPoint)u1.Client.LocalEndPoint!).Port.Should().NotBe(portBefore);
        await change.HealAsync(ct);
        await change.HealAsync(ct);
        (await proxies.Client.GetConnectionsAsync(proxy, ct)).SelectMany(c => c.Toxics).Should().BeEmpty("heal leaves no blackhole behind");

        // Sleep past the gateway's 3 s client timeout: the gateway times the connection out; wake reconnects.
        var sleep = new DeviceSleepFault(u2);
        await sleep.ApplyAsync(ct);
        u2.Client.IsAsleep.Should().BeTrue();
        await WaitAsync(async () => (await RoleMetrics.TryReadAsync(system.Gateways[0], ct))?.Counter("refsys.gateway.client_timeouts") >= 1, "the gateway times the sleeping device out");
        u2.Reconnects.Should().Be(0, "a sleeping device makes no reconnect attempt");
        await sleep.HealAsync(ct);
        await WaitAsync(() => u2.Reconnects == 1 && u2.Client.State == DeviceConnectionState.Connected, "u2 reconnects once woken");
        sleep.InboxAtWake.Should().NotBeNull();

        // App killed and restarted: a new client, resumed from the sequence the old one persisted.
        var delivered = u1.Client.LastSequence;
        delivered.Should().BePositive("the canaries reached u1");
        var kill = new AppKillFault(u1);
        await kill.ApplyAsync(ct);
        u1.IsAppRunning.Should().BeFalse();
        kill.SequenceAtKill.Should().Be(delivered);
        await kill.HealAsync(ct);
        await kill.HealAsync(ct);
        u1.Restarts.Should().Be(1, "heal is idempotent");
        u1.Client.State.Should().Be(DeviceConnectionState.Connected);
        u1.Client.LastSequence.Should().Be(delivered, "the restarted app resumes from its persisted sequence, not from 0");

        // An app restarted while its gateway is unreachable keeps trying, as an app's first connect does, and connects
        // once the gateway is back (one refused connect used to leave the device dead for the rest of a random-mix run).
        var killAgain = new AppKillFault(u1);
        await killAgain.ApplyAsync(ct);
        var down = new ProxyDownFault(proxies.Client, proxy);
        await down.ApplyAsync(ct);
        var restart = killAgain.HealAsync(ct);
        await Task.Delay(1500, ct);
        restart.IsCompleted.Should().BeFalse("the gateway is unreachable, so the restarted app is still trying to connect");
        await down.HealAsync(ct);
        await restart.WaitAsync(VirtualDevice.RestartConnectDeadline, ct);
        killAgain.Restarted.Should().BeTrue();
        u1.Client.State.Should().Be(DeviceConnectionState.Connected);
        await WaitAsync(() => workload.Devices.All(d => d.Client.State == DeviceConnectionState.Connected), "both devices are back once the proxy is up");
        var u2Reconnects = u2.Reconnects;

        // The gateway behind the proxy crashes: every device loses its connection; heal restarts it on the same port.
        var crash = new GatewayCrashFault(system.Gateways[0]);
        await crash.ApplyAsync(ct);
        system.Gateways[0].IsRunning.Should().BeFalse();
        await crash.HealAsync(ct);
        await crash.HealAsync(ct);
        system.Gateways[0].Incarnation.Should().Be(2, "healed once, however often heal runs");
        await WaitAsync(() => workload.Devices.All(d => d.Client.State == DeviceConnectionState.Connected) && u2.Reconnects == u2Reconnects + 1, "devices reconnect through the proxy to the restarted gateway");
    }

    public async ValueTask DisposeAsync()
    {
        await Task.Yield();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static Task WaitAsync(Func<bool> condition, string what) => WaitAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not within {Bound.TotalSeconds:0} s: {what}");
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
