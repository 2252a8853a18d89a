using System.Net;
using System.Net.Sockets;
using Chaos.Reference.Client;
using Chaos.Reference.Observability;
using Chaos.Reference.Tests.Support;
using Npgsql;

namespace Chaos.Reference.Tests;

/// <summary>Gateway failure handling: a crash mid-stream, and a silent connection detected by timeout.</summary>
public sealed class GatewayTests(MockKafkaFixture fixture)
{
    [Fact]
    public async Task A_device_resumes_in_order_without_duplicates_after_its_gateway_crashes_right_after_a_push()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        await run.StartAsync("notifier", "notifier-1");
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var gateway1 = await run.StartAsync("gateway", "gateway-1", "--urls", url, "--failpoint", "gateway.after-push-before-ack=crash@5");
        await run.WaitReadyAsync(gateway1);
        await run.TokenAsync(api, "alice");
        var device = new DeviceRecorder(run.Client(gateway1, api, "alice", "d1"), run.Logs);
        await device.Client.ConnectAsync(ct);

        var sent = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            sent.Add(await run.SendAsync(api, $"m{i}", ["alice"], $"m{i}", ct));
        }

        await gateway1.Exited.WaitAsync(TimeSpan.FromSeconds(60), ct);
        var gateway2 = await run.StartAsync("gateway", "gateway-2", "--urls", url);
        await device.WaitForAsync(10, TimeSpan.FromSeconds(60));

        device.Delivered.Select(d => d.Id).Should().Equal(sent);
        device.Delivered.Select(d => d.Seq).Should().Equal(Enumerable.Range(1, 10).Select(n => (long)n));
        _ = gateway2;
    }

    [Fact]
    public async Task A_connection_that_goes_silent_is_dropped_after_the_client_timeout()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        var gateway = await run.StartAsync("gateway", "gateway-1");
        await run.WaitReadyAsync(gateway);
        var token = await run.TokenAsync(api, "alice");

        // A device that stops sending anything (no pings: a phone asleep) while the server still talks to it.
        await using var sleepy = new Client.ChatClient(new Client.ChatClientOptions
        {
            HubUrl = new Uri(gateway.Url, "/hub"),
            TokenProvider = _ => ValueTask.FromResult(token),
            User = "alice",
            Device = "sleepy",
            KeepAliveInterval = TimeSpan.FromMinutes(5),
            ServerTimeout = TimeSpan.FromMinutes(10),
            AutoReconnect = false,
        });
        await sleepy.ConnectAsync(ct);

        await MessagingDefectTests.WaitUntilAsync(async () => (await run.GetJsonAsync(gateway, "/presence")).GetArrayLength() == 1, TimeSpan.FromSeconds(20), run.Logs);
        var silentSince = DateTime.UtcNow;
        await MessagingDefectTests.WaitUntilAsync(async () => (await run.GetJsonAsync(gateway, "/presence")).GetArrayLength() == 0, TimeSpan.FromSeconds(30), run.Logs);
        (DateTime.UtcNow - silentSince).Should().BeGreaterThan(TimeSpan.FromSeconds(2), "the test runs the gateway with a 4 s client timeout");
        var metrics = await run.GetJsonAsync(gateway, "/metrics", ct);
        metrics.GetProperty("metrics").GetProperty("counters").GetProperty("refsys.connections.open").GetDouble().Should().Be(0);
    }

    [Fact]
    public async Task An_app_restarted_with_its_stored_sequence_resumes_after_the_last_processed_sequence()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        var gateway = await run.StartAsync("gateway", "gateway-1");
        await run.StartAsync("notifier", "notifier-1");
        await run.WaitReadyAsync(gateway);
        await run.TokenAsync(api, "alice");
        var store = new InMemorySequenceStore(); // the app's storage, which outlives the app's client

        var first = new DeviceRecorder(run.Client(gateway, api, "alice", "phone", store), run.Logs);
        await first.Client.ConnectAsync(ct);
        await run.SendAsync(api, "m1", ["alice"], "one", ct);
        using (var n = await run.PostAsync(api, "/notifications", new { idempotencyKey = "n1", to = "alice", body = "ping" }, ct))
        {
            n.StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        await first.WaitForAsync(2, TimeSpan.FromSeconds(30));
        first.Delivered.Select(d => d.Kind).Should().Equal("message", "notification");
        await first.Client.DisposeAsync(); // the app is closed

        var later = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            later.Add(await run.SendAsync(api, $"later{i}", ["alice"], $"later {i}", ct));
        }

        var second = new DeviceRecorder(run.Client(gateway, api, "alice", "phone", store), run.Logs);
        await second.Client.ConnectAsync(ct);
        await second.WaitForAsync(3, TimeSpan.FromSeconds(30));
        second.Delivered.Select(d => d.Id).Should().Equal(later, "it resumes after sequence 2, from the stored position");
        second.Delivered.Select(d => d.Seq).Should().Equal(3L, 4L, 5L);
        second.Frames.Should().OnlyContain(f => f.Disposition == Client.FrameDisposition.Accepted, "nothing before sequence 3 was sent again");
    }

    /// <summary>
    /// A pump whose inbox read fails (here: its pooled PostgreSQL connection was terminated, as storage-disconnect does) closes its connection, and
    /// the device resumes on a new pump. It used to end silently, leaving the device connected and fed nothing, ever:
    /// random-mix on PostgreSQL, seed 1, unseen ×249 (docs/reference-system.md, "Slow readers").
    /// </summary>
    [Fact]
    public async Task A_pump_whose_inbox_read_fails_closes_its_connection_and_the_device_resumes_on_a_new_one()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, Backend.PostgresFor("postgres"), ct);
        var paths = Path.Combine(run.Directory, "failure-paths");
        var api = await run.StartAsync("api", "api-1");
        await run.StartAsync("notifier", "notifier-1");
        // the gateway's connections carry a name of their own, so only they are cut (the api's serve the tokens)
        var gateway = await run.StartAsync("gateway", "gateway-1", "--db", run.Db + ";Application Name=refsys-gateway-1", "--failure-paths", paths);
        await run.WaitReadyAsync(gateway);
        await run.TokenAsync(api, "alice");
        var store = new InMemorySequenceStore();
        var first = new DeviceRecorder(run.Client(gateway, api, "alice", "phone", store), run.Logs);
        await first.Client.ConnectAsync(ct); // its resume read the inbox: the gateway now pools a connection
        await run.SendAsync(api, "m1", ["alice"], "one", ct);
        await first.WaitForAsync(1, TimeSpan.FromSeconds(30));
        await first.Client.DisposeAsync();
        var later = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            later.Add(await run.SendAsync(api, $"later{i}", ["alice"], $"later {i}", ct));
        }

        await MessagingDefectTests.WaitUntilAsync(async () => (await run.InboxAsync(api, "alice", ct)).Count == 4, TimeSpan.FromSeconds(30), run.Logs);
        await using (var admin = new NpgsqlConnection(run.Db["postgres:".Length..]))
        {
            await admin.OpenAsync(ct);
            await using var drop = new NpgsqlCommand("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'refsys-gateway-1'", admin);
            ((long)(await drop.ExecuteScalarAsync(ct))!).Should().BePositive("the gateway pooled the connection its first resume read with");
        }

        var second = new DeviceRecorder(run.Client(gateway, api, "alice", "phone", store), run.Logs);
        await second.Client.ConnectAsync(ct);
        await second.WaitForAsync(3, TimeSpan.FromSeconds(60));

        second.Delivered.Select(d => d.Id).Should().Equal(later);
        var hits = await SlowReaderTests.HitsAsync(paths, "gateway-1", Observability.FailurePaths.GatewayPumpFailed.Name, ct);
        hits[Observability.FailurePaths.GatewayPumpFailed.Name].Should().BePositive("the first resume's read met the dead connection");
    }

    /// <summary>
    /// Regression (found by system-mix, seed 1: a gateway restarted while a broker was down): the backplane's start read
    /// the deliveries topic's end offsets once, and an error ("Local: Unknown partition", a timeout) ended the process
    /// before it was ready. It now tries again until the cluster answers, not ready meanwhile.
    /// </summary>
    [Fact]
    public async Task A_gateway_started_while_the_cluster_is_down_waits_for_it_and_then_delivers()
    {
        var ct = TestContext.Current.CancellationToken;
        using var kafka = new TemporaryMockKafka(); // its own cluster: the broker goes down
        await using var run = await SystemRun.CreateAsync(kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        await run.StartAsync("notifier", "notifier-1");
        await run.TokenAsync(api, "alice");
        var paths = Path.Combine(run.Directory, "failure-paths");

        kafka.SetBrokerDown(1);
        var gateway = await run.StartAsync("gateway", "gateway-1", "--failure-paths", paths);
        await MessagingDefectTests.WaitUntilAsync(
            () => Task.FromResult(gateway.Lines.Any(l => l.Contains("backplane start failed", StringComparison.Ordinal))), TimeSpan.FromSeconds(40), run.Logs);
        using (var notReady = await run.Http.GetAsync(new Uri(gateway.Url, "/readyz"), ct))
        {
            notReady.IsSuccessStatusCode.Should().BeFalse("the backplane has no partitions yet");
        }

        kafka.SetBrokerUp(1);
        await run.WaitReadyAsync(gateway, TimeSpan.FromSeconds(60));
        var device = new DeviceRecorder(run.Client(gateway, api, "alice", "d1"), run.Logs);
        await device.Client.ConnectAsync(ct);
        var id = await run.SendAsync(api, "after", ["alice"], "after the outage", ct);
        await device.WaitForAsync(1, TimeSpan.FromSeconds(60));

        gateway.HasExited.Should().BeFalse($"the outage is waited out, not the end of the process\n{run.Logs()}");
        device.Delivered.Select(d => d.Id).Should().Equal(id);
        await MessagingDefectTests.WaitUntilAsync(
            () => Task.FromResult(FailurePathTests.ReadHits(paths, "gateway-1", "gateway").GetValueOrDefault(FailurePaths.GatewayBackplaneStartRetried.Name) >= 1),
            TimeSpan.FromSeconds(10), run.Logs);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
