using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Chaos.Reference.Client;
using Chaos.Reference.Observability;
using Chaos.Reference.Tests.Support;

namespace Chaos.Reference.Tests;

/// <summary>
/// A slow or stalled reader costs the gateway bounded memory (docs/reference-system.md, "Slow readers"): a pump that
/// falls behind stops queueing live deliveries and reads them from the durable inbox, and a device that reads nothing
/// while every buffer toward it is full is disconnected after the send timeout. Real gateway, real sockets.
/// </summary>
public sealed class SlowReaderTests(MockKafkaFixture fixture)
{
    [Fact]
    public async Task A_pump_whose_backlog_is_full_reads_the_rest_from_the_inbox_in_order_and_sends_nothing_twice()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var paths = Path.Combine(run.Directory, "failure-paths");
        var api = await run.StartAsync("api", "api-1");
        await run.StartAsync("notifier", "notifier-1");

        // Each push takes 150 ms and the pump queues two live deliveries: twenty sent at once overflow it.
        var gateway = await run.StartAsync("gateway", "gateway-1", "--gateway-backlog", "2",
            "--failpoint", "gateway.after-push-before-ack=delay:150", "--failure-paths", paths);
        await run.WaitReadyAsync(gateway);
        await run.TokenAsync(api, "alice");
        var device = new DeviceRecorder(run.Client(gateway, api, "alice", "phone"), run.Logs);
        await device.Client.ConnectAsync(ct);

        var sent = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            sent.Add(await run.SendAsync(api, $"m{i}", ["alice"], $"m{i}", ct));
        }

        await device.WaitForAsync(20, TimeSpan.FromSeconds(60));
        device.Delivered.Select(d => d.Id).Should().Equal(sent);
        device.Delivered.Select(d => d.Seq).Should().Equal(Enumerable.Range(1, 20).Select(n => (long)n));
        device.Frames.Should().OnlyContain(f => f.Disposition == FrameDisposition.Accepted, "the gateway sent no frame twice");
        var hits = await HitsAsync(paths, "gateway-1", FailurePaths.GatewayBacklogFull.Name, ct);
        hits[FailurePaths.GatewayBacklogFull.Name].Should().BePositive("the pump's backlog overflowed");
        hits[FailurePaths.GatewayStalledReader.Name].Should().Be(0, "the device read everything");
    }

    [Fact]
    public async Task A_device_that_stops_reading_is_disconnected_after_the_send_timeout_and_holds_back_no_other_device()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var paths = Path.Combine(run.Directory, "failure-paths");
        var api = await run.StartAsync("api", "api-1");
        await run.StartAsync("notifier", "notifier-1");

        // SystemRun's 4 s client timeout stands: the stalled device keeps pinging, as a client whose read loop is stuck does.
        var gateway = await run.StartAsync("gateway", "gateway-1", "--gateway-send-timeout-ms", "1000", "--failure-paths", paths);
        await run.WaitReadyAsync(gateway);
        var token = await run.TokenAsync(api, "alice");
        var phone = new DeviceRecorder(run.Client(gateway, api, "alice", "phone"), run.Logs);
        await phone.Client.ConnectAsync(ct);
        await using var stalled = await NonReader.ConnectAsync(new Uri(gateway.Url, "/hub?device=stalled"), token, ct);
        await MessagingDefectTests.WaitUntilAsync(async () => (await run.GetJsonAsync(gateway, "/presence")).GetArrayLength() == 2, TimeSpan.FromSeconds(20), run.Logs);

        // 800 × 8 KB: more than the gateway's socket send buffer (up to 4 MB here) and Kestrel's and SignalR's pipes.
        const int Count = 800;
        var body = new string('x', 8 * 1024 - 64);
        var sent = new List<string>();
        foreach (var chunk in Enumerable.Range(0, Count).Chunk(8))
        {
            sent.AddRange(await Task.WhenAll(chunk.Select(i => run.SendAsync(api, $"big{i}", ["alice"], body, ct))));
        }

        await phone.WaitForAsync(Count, TimeSpan.FromSeconds(120));
        phone.Delivered.Select(d => d.Id).Should().BeEquivalentTo(sent, "the stalled device's pump holds back only its own connection");
        phone.Delivered.Select(d => d.Seq).Should().Equal(Enumerable.Range(1, Count).Select(n => (long)n));
        await MessagingDefectTests.WaitUntilAsync(async () => (await run.GetJsonAsync(gateway, "/presence")).GetArrayLength() == 1, TimeSpan.FromSeconds(30), run.Logs);
        var counters = (await run.GetJsonAsync(gateway, "/metrics", ct)).GetProperty("metrics").GetProperty("counters");
        counters.TryGetProperty("refsys.gateway.stalled_readers", out var stalls).Should().BeTrue($"the send timeout closed it: {counters}\n{run.Logs()}");
        stalls.GetDouble().Should().Be(1);
        counters.TryGetProperty("refsys.gateway.client_timeouts", out var timeouts).Should().BeFalse($"no client timeout closed it (counted {timeouts})");
        stalled.Pings.Should().BePositive("the stalled device kept its connection alive");
        var hits = await HitsAsync(paths, "gateway-1", FailurePaths.GatewayStalledReader.Name, ct);
        hits[FailurePaths.GatewayStalledReader.Name].Should().Be(1);
    }

    /// <summary>
    /// A SignalR device that says where it is and then reads nothing, over a socket whose receive buffer is 4 KB (the
    /// TCP window toward it closes after a few frames), while it still pings once a second: a client whose read loop is
    /// stuck and whose keep-alive timer is not.
    /// </summary>
    private sealed class NonReader : IAsyncDisposable
    {
        private readonly ClientWebSocket _socket = new();
        private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler { ConnectCallback = ConnectSmallWindowAsync });
        private readonly CancellationTokenSource _stop = new();
        private Task _pinging = Task.CompletedTask;
        private int _pings;

        public int Pings => Volatile.Read(ref _pings);

        public static async Task<NonReader> ConnectAsync(Uri hub, string token, CancellationToken ct)
        {
            var reader = new NonReader();
            try
            {
                reader._socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
                await reader._socket.ConnectAsync(new UriBuilder(hub) { Scheme = "ws" }.Uri, reader._invoker, ct);
                await reader.SendAsync("""{"protocol":"json","version":1}""", ct);
                await reader.SendAsync("""{"type":1,"target":"Resume","arguments":[0]}""", ct);
                reader._pinging = reader.PingAsync();
                return reader;
            }
            catch
            {
                await reader.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _pinging;
            _socket.Dispose();
            _invoker.Dispose();
            _stop.Dispose();
        }

        private async Task PingAsync()
        {
            try
            {
                while (_socket.State == WebSocketState.Open)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token);
                    await SendAsync("""{"type":6}""", _stop.Token);
                    Interlocked.Increment(ref _pings);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException)
            {
                // stopped, or the gateway closed the connection
            }
        }

        private Task SendAsync(string message, CancellationToken ct) =>
            _socket.SendAsync(Encoding.UTF8.GetBytes(message + "\u001e"), WebSocketMessageType.Text, endOfMessage: true, ct);

        private static async ValueTask<Stream> ConnectSmallWindowAsync(SocketsHttpConnectionContext context, CancellationToken ct)
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096, NoDelay = true };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    /// <summary>The node's failure-path hits once <paramref name="expected"/> was counted (it writes within a second).</summary>
    internal static async Task<Dictionary<string, long>> HitsAsync(string directory, string instance, string expected, CancellationToken ct)
    {
        Dictionary<string, long> hits = [];
        for (var attempt = 0; attempt < 50 && hits.GetValueOrDefault(expected) == 0; attempt++)
        {
            await Task.Delay(100, ct);
            hits = FailurePathTests.ReadHits(directory, instance, "gateway");
        }

        return hits.Count > 0 ? hits : throw new InvalidOperationException($"{instance} wrote no failure-path file under {directory}");
    }
}
