using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Chaos.Reference.Client;
using Chaos.Reference.Tests.Support;

namespace Chaos.Reference.Tests.Performance;

/// <summary>
/// The delivery benchmark (opt-in: CHAOS_REFSYS_BENCH=1; not a timed test). Embedded Kafka + SQLite, 1 api, 2 notifiers,
/// 2 gateways, 500 users × 2 devices connected; an open-model sender (fixed arrival rate, intended start times, so
/// latency is free of coordinated omission) sends each message to 4 random users (8 device deliveries). Reports
/// deliveries per second and delivery latency percentiles (delivered − intended send time) over the measured window.
/// Knobs: CHAOS_REFSYS_BENCH_RATE (messages/s, default 250), CHAOS_REFSYS_BENCH_SECONDS (default 20).
/// </summary>
public sealed class DeliveryBenchmark(MockKafkaFixture fixture)
{
    [Fact]
    public async Task Deliveries_per_second_and_latency_with_1000_connected_devices()
    {
        if (Environment.GetEnvironmentVariable("CHAOS_REFSYS_BENCH") != "1")
        {
            Assert.Skip("benchmark: set CHAOS_REFSYS_BENCH=1 to run it");
        }

        var ct = TestContext.Current.CancellationToken;
        var rate = int.Parse(Environment.GetEnvironmentVariable("CHAOS_REFSYS_BENCH_RATE") ?? "250", CultureInfo.InvariantCulture);
        var seconds = int.Parse(Environment.GetEnvironmentVariable("CHAOS_REFSYS_BENCH_SECONDS") ?? "20", CultureInfo.InvariantCulture);
        const int Users = 500;
        const int PerMessage = 4;
        const int WarmupSeconds = 5;

        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var procs = await Task.WhenAll(
            run.StartAsync("api", "api-1"),
            run.StartAsync("notifier", "notifier-1"), run.StartAsync("notifier", "notifier-2"),
            run.StartAsync("gateway", "gateway-1"), run.StartAsync("gateway", "gateway-2"));
        var api = procs[0];
        foreach (var p in procs)
        {
            await run.WaitReadyAsync(p);
        }

        var tokens = new ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Users), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct },
            async (u, _) => tokens[$"u{u}"] = await run.TokenAsync(api, $"u{u}"));

        var clock = Stopwatch.StartNew();
        var latencies = new ConcurrentQueue<(double At, double Ms)>();
        var clients = new List<ChatClient>();
        for (var u = 0; u < Users; u++)
        {
            foreach (var d in new[] { "d1", "d2" })
            {
                var user = $"u{u}";
                var client = new ChatClient(new ChatClientOptions
                {
                    HubUrl = new Uri(procs[3 + (clients.Count % 2)].Url, "/hub"),
                    TokenProvider = _ => ValueTask.FromResult(tokens[user]),
                    User = user,
                    Device = d,
                });
                client.Delivered += delivery =>
                {
                    var now = clock.Elapsed.TotalMilliseconds;
                    latencies.Enqueue((now, now - double.Parse(delivery.Payload, CultureInfo.InvariantCulture)));
                };
                clients.Add(client);
            }
        }

        try
        {
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (c, t) => await c.ConnectAsync(t));
            var connectedAt = clock.Elapsed;

            var random = new Random(42);
            var total = rate * (WarmupSeconds + seconds);
            var inflight = new List<Task>(total);
            var failures = 0;
            var start = clock.Elapsed.TotalMilliseconds + 100;
            for (var i = 0; i < total; i++)
            {
                var intended = start + (i * 1000.0 / rate);
                var wait = intended - clock.Elapsed.TotalMilliseconds;
                if (wait > 1)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(wait), ct);
                }

                var to = Enumerable.Range(0, Users).OrderBy(_ => random.Next()).Take(PerMessage).Select(x => $"u{x}").ToArray();
                var n = i;
                inflight.Add(Task.Run(async () =>
                {
                    try
                    {
                        await run.SendAsync(api, $"b{n}", to, intended.ToString("R", CultureInfo.InvariantCulture), ct);
                    }
                    catch (HttpRequestException)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }, ct));
            }

            await Task.WhenAll(inflight);
            var expected = (long)total * PerMessage * 2;
            var drainUntil = clock.Elapsed + TimeSpan.FromSeconds(60);
            while (latencies.Count < expected - (failures * PerMessage * 2) && clock.Elapsed < drainUntil)
            {
                await Task.Delay(100, ct);
            }

            var windowStart = start + (WarmupSeconds * 1000.0);
            var windowEnd = start + ((WarmupSeconds + seconds) * 1000.0);
            var all = latencies.ToArray();
            var measured = all.Where(x => x.At - x.Ms >= windowStart && x.At - x.Ms < windowEnd).Select(x => x.Ms).Order().ToArray();
            double P(double q) => measured.Length == 0 ? double.NaN : measured[Math.Min(measured.Length - 1, (int)(q * measured.Length))];
            var perSecond = measured.Length / (double)seconds;
            var report = string.Create(CultureInfo.InvariantCulture,
                $"devices={clients.Count} connect={connectedAt.TotalSeconds:F1}s rate={rate} msg/s x {PerMessage} users x 2 devices; " +
                $"deliveries in window={measured.Length} ({perSecond:F0}/s, offered {rate * PerMessage * 2}/s); latency ms p50={P(0.5):F0} p95={P(0.95):F0} " +
                $"p99={P(0.99):F0} max={(measured.Length == 0 ? double.NaN : measured[^1]):F0}; delivered total={all.Length}/{expected}; send failures={failures}");
            TestContext.Current.SendDiagnosticMessage(report);
            var metrics = await run.GetJsonAsync(procs[1], "/metrics", ct);
            var gatewayMetrics = await run.GetJsonAsync(procs[3], "/metrics", ct);
            var apiMetrics = await run.GetJsonAsync(procs[0], "/metrics", ct);
            var outFile = Environment.GetEnvironmentVariable("CHAOS_REFSYS_BENCH_OUT") ?? Path.Combine(AppContext.BaseDirectory, "refsys-benchmark.txt");
            await File.AppendAllTextAsync(outFile, $"{report}\nnotifier-1 {metrics.GetProperty("metrics").GetRawText()}\ngateway-1 {gatewayMetrics.GetProperty("metrics").GetRawText()}\napi-1 {apiMetrics.GetProperty("metrics").GetRawText()}\n", ct);
            all.Length.Should().BeGreaterThan(0);
        }
        finally
        {
            await Parallel.ForEachAsync(clients, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (c, _) => await c.DisposeAsync());
        }
    }
}
