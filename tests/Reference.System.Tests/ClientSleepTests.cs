using System.Net;
using Chaos.Reference.Tests.Support;

namespace Chaos.Reference.Tests;

/// <summary>The client's Sleep/Wake (a suspended mobile app) against a real gateway with a 4 s client timeout.</summary>
public sealed class ClientSleepTests(MockKafkaFixture fixture)
{
    [Fact]
    public async Task A_device_asleep_past_the_client_timeout_is_timed_out_by_the_gateway_and_on_wake_resumes_what_it_missed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        await run.StartAsync("notifier", "notifier-1");
        var gateway = await run.StartAsync("gateway", "gateway-1");
        await run.WaitReadyAsync(gateway);
        await run.TokenAsync(api, "alice");
        var device = new DeviceRecorder(run.Client(gateway, api, "alice", "d1"), run.Logs);
        await device.Client.ConnectAsync(ct);
        device.Client.LocalEndPoint.Should().BeOfType<IPEndPoint>().Which.Port.Should().BePositive("a proxy in front names connections by it");

        var sent = new List<string> { await run.SendAsync(api, "m0", ["alice"], "m0", ct) };
        await device.WaitForAsync(1, TimeSpan.FromSeconds(30));

        // An abrupt cut is not a timeout: the gateway sees the socket die, and the client reconnects at once.
        device.Client.Cut();
        await MessagingDefectTests.WaitUntilAsync(() => Task.FromResult(device.Client.Reconnects == 1 && device.Client.State == Client.ChatClientState.Connected), TimeSpan.FromSeconds(30), run.Logs);
        (await TimeoutsAsync(run, gateway)).Should().Be(0);

        device.Client.Sleep();
        device.Client.IsAsleep.Should().BeTrue();
        for (var i = 1; i <= 3; i++)
        {
            sent.Add(await run.SendAsync(api, $"m{i}", ["alice"], $"m{i}", ct));
        }

        // Asleep: no pings, no reads — the gateway gives up on it after its client timeout, and the app saw nothing.
        await MessagingDefectTests.WaitUntilAsync(async () => await TimeoutsAsync(run, gateway) == 1, TimeSpan.FromSeconds(30), run.Logs);
        device.Delivered.Should().HaveCount(1, "a sleeping app handles nothing");
        device.Client.Reconnects.Should().Be(1, "a sleeping app makes no reconnect attempt");

        device.Client.Wake();
        await device.WaitForAsync(4, TimeSpan.FromSeconds(30));
        device.Delivered.Select(d => d.Id).Should().Equal(sent);
        device.Delivered.Select(d => d.Seq).Should().Equal(1L, 2L, 3L, 4L);
        await MessagingDefectTests.WaitUntilAsync(() => Task.FromResult(device.Client.Reconnects == 2), TimeSpan.FromSeconds(30), run.Logs);
    }

    private static async Task<double> TimeoutsAsync(SystemRun run, SutProcess gateway)
    {
        var metrics = await run.GetJsonAsync(gateway, "/metrics");
        return metrics.GetProperty("metrics").GetProperty("counters").TryGetProperty("refsys.gateway.client_timeouts", out var v) ? v.GetDouble() : 0;
    }
}
