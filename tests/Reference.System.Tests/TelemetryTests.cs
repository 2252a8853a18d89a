using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using Chaos.Reference.Tests.Support;

namespace Chaos.Reference.Tests;

/// <summary>
/// The system's instruments through OpenTelemetry's Prometheus endpoint (docs/reference-system.md, "Metrics"), against
/// real processes: the counters move under traffic, agree with the JSON /metrics view of the same instruments, and the
/// endpoint asks for the admin key like the other admin endpoints.
/// </summary>
public sealed class TelemetryTests(MockKafkaFixture fixture)
{
    private const int Messages = 6;

    [Fact]
    public async Task The_prometheus_endpoint_counts_what_the_api_and_notifier_did_under_traffic()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        var api = await run.StartAsync("api", "api-1");
        var notifier = await run.StartAsync("notifier", "notifier-1");
        await run.TokenAsync(api, "alice");
        var before = Sample(await ScrapeAsync(run, api), "refsys_outbox_published_total");

        for (var i = 0; i < Messages; i++)
        {
            await run.SendAsync(api, $"k-{i}", ["alice"], $"m{i}", ct);
        }

        // the notifier may process a message before the relay has counted its publish (the count follows the
        // broker's acknowledgement), so both are awaited; each scrape is fresh (no response cache)
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        double processed;
        double published;
        string apiText;
        while (((processed = Sample(await ScrapeAsync(run, notifier), "refsys_processed_total")) < Messages
                | (published = Sample(apiText = await ScrapeAsync(run, api), "refsys_outbox_published_total")) < Messages)
            && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200, ct);
        }

        var json = await run.GetJsonAsync(api, "/metrics", ct);
        using var anonymous = await run.SendAsync(HttpMethod.Get, api, "/metrics/prometheus", null, null, ct);

        before.Should().Be(0, "nothing was published before the first send");
        published.Should().BeGreaterThanOrEqualTo(Messages, "the outbox published every message");
        processed.Should().BeGreaterThanOrEqualTo(Messages, "the notifier made every message's effect durable");
        json.GetProperty("metrics").GetProperty("counters").GetProperty("refsys.outbox.published").GetDouble()
            .Should().Be(published, "the JSON /metrics reads the same instruments");
        apiText.Should().Contain("refsys_api_write_batch_size", "histograms are exported too");
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the scrape endpoint needs the admin key");
    }

    [Fact]
    public async Task With_an_otlp_endpoint_a_node_pushes_its_metrics_over_otlp_http_to_v1_metrics()
    {
        var ct = TestContext.Current.CancellationToken;
        using var collector = new OtlpCollector();
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        run.ExtraEnvironment["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint;
        run.ExtraEnvironment["OTEL_METRIC_EXPORT_INTERVAL"] = "500";
        var api = await run.StartAsync("api", "api-1");
        await run.TokenAsync(api, "alice");
        await run.SendAsync(api, "k-otlp", ["alice"], "m", ct);

        // the first export that carries the outbox's counter (the relay publishes the message within a second)
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        string path;
        string contentType;
        byte[] body;
        do
        {
            (path, contentType, body) = await collector.NextAsync(deadline.Token) ?? throw new TimeoutException("no export carried refsys.outbox.published within 30 s");
        }
        while (!Encoding.UTF8.GetString(body).Contains("refsys.outbox.published", StringComparison.Ordinal));

        path.Should().Be("/v1/metrics", "http/protobuf is the specification's default, posted to the endpoint's /v1/metrics");
        contentType.Should().Be("application/x-protobuf");
        Encoding.UTF8.GetString(body).Should().Contain("refsys-api", "the resource names the role's service");
    }

    [Fact]
    public async Task With_an_otlp_endpoint_a_message_is_one_trace_from_the_api_through_the_notifier_to_the_gateway()
    {
        var ct = TestContext.Current.CancellationToken;
        using var collector = new OtlpCollector();
        await using var run = await SystemRun.CreateAsync(fixture.Kafka, cancellationToken: ct);
        run.ExtraEnvironment["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint;
        run.ExtraEnvironment["OTEL_BSP_SCHEDULE_DELAY"] = "200";
        var api = await run.StartAsync("api", "api-1");
        await Task.WhenAll(run.StartAsync("notifier", "notifier-1"), run.StartAsync("gateway", "gateway-1"));
        await run.TokenAsync(api, "alice");

        // the sender's own trace, as a traced client would send it (W3C traceparent)
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api.Url, "/messages"))
        {
            Content = JsonContent.Create(new { idempotencyKey = "k-trace", from = "sender", to = new[] { "alice" }, body = "traced" }),
        };
        request.Headers.Authorization = SystemRun.Bearer(await run.UserTokenAsync(api, "sender"));
        request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var sent = await run.Http.SendAsync(request, ct);
        sent.StatusCode.Should().Be(HttpStatusCode.Accepted, await sent.Content.ReadAsStringAsync(ct));

        // every hop's span, under the sender's trace id (raw bytes in the protobuf), from the service that made it
        var expected = new Dictionary<string, string[]>(StringComparer.Ordinal)
        {
            ["refsys-api"] = ["api send", "outbox publish"],
            ["refsys-notifier"] = ["notifier deliver"],
            ["refsys-gateway"] = ["gateway dispatch"],
        };
        var traceBytes = Convert.FromHexString(traceId.ToHexString());
        var seen = new HashSet<string>(StringComparer.Ordinal);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        // a missed span ends the wait at the deadline; the assertion below names the spans that never came
        while (seen.Count < 4 && await collector.NextAsync(deadline.Token) is (var path, _, var body))
        {
            if (path != "/v1/traces" || body.AsSpan().IndexOf(traceBytes) < 0)
            {
                continue;
            }

            var text = Encoding.UTF8.GetString(body);
            foreach (var (service, spans) in expected.Where(e => text.Contains(e.Key, StringComparison.Ordinal)))
            {
                seen.UnionWith(spans.Where(s => text.Contains(s, StringComparison.Ordinal)));
            }
        }

        seen.Should().BeEquivalentTo(["api send", "outbox publish", "notifier deliver", "gateway dispatch"], "each hop continues the sender's trace within 30 s");
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("http://127.0.0.1:4318", null)]
    [InlineData("collector:4318", "OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' is not an http or https URL")]
    [InlineData("ftp://127.0.0.1/", "OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://127.0.0.1/' is not an http or https URL")]
    public void An_otlp_endpoint_that_is_not_an_http_url_is_named_before_the_node_starts(string? endpoint, string? problem) =>
        Observability.Telemetry.OtlpEndpointProblem(v => v == "OTEL_EXPORTER_OTLP_ENDPOINT" ? endpoint : null).Should().Be(problem);

    /// <summary>A loopback listener standing in for an OpenTelemetry collector: each export, answered 200.</summary>
    private sealed class OtlpCollector : IDisposable
    {
        private readonly HttpListener _listener = new();

        public OtlpCollector()
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            Endpoint = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}";
            probe.Stop();
            _listener.Prefixes.Add(Endpoint + "/");
            _listener.Start();
        }

        /// <summary>What OTEL_EXPORTER_OTLP_ENDPOINT names.</summary>
        public string Endpoint { get; }

        /// <summary>The next export's path, content type and body; null when <paramref name="deadline"/> passes first.</summary>
        public async Task<(string Path, string ContentType, byte[] Body)?> NextAsync(CancellationToken deadline)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().WaitAsync(deadline);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                return null;
            }

            using var buffer = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(buffer, TestContext.Current.CancellationToken);
            context.Response.StatusCode = 200;
            context.Response.Close();
            return (context.Request.Url!.AbsolutePath, context.Request.ContentType ?? "", buffer.ToArray());
        }

        public void Dispose() => ((IDisposable)_listener).Dispose();
    }

    private static async Task<string> ScrapeAsync(SystemRun run, SutProcess process)
    {
        using var response = await run.SendAsync(HttpMethod.Get, process, "/metrics/prometheus", null, run.Admin(), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        return text;
    }

    /// <summary>The sum of a metric's samples in Prometheus text format (0 when it has none yet).</summary>
    private static double Sample(string text, string metric) =>
        text.Split('\n')
            .Where(l => l.StartsWith(metric + "{", StringComparison.Ordinal) || l.StartsWith(metric + " ", StringComparison.Ordinal))
            .Sum(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture));
}
