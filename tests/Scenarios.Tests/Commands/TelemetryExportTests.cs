using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Chaos.Harness.Telemetry;
using Chaos.Scenarios.Commands;
using Chaos.Scenarios.Tests.Check;

namespace Chaos.Scenarios.Tests.Commands;

/// <summary>
/// The tool's OTLP export (docs/running.md, "OpenTelemetry"): off unless OTEL_EXPORTER_OTLP_ENDPOINT is set, a bad
/// endpoint named, and with one set the harness's spans and metrics reach a collector over OTLP/HTTP — here a loopback
/// listener standing in for one, which records what is posted to it.
/// </summary>
public sealed class TelemetryExportTests
{
    [Fact]
    public void Without_an_endpoint_nothing_is_exported()
    {
        TelemetryExport.FromEnvironment(_ => null).Should().BeNull();
        TelemetryExport.FromEnvironment(_ => " ").Should().BeNull();
    }

    [Fact]
    public void An_endpoint_that_is_not_an_http_url_is_refused_naming_the_variable()
    {
        var act = () => TelemetryExport.FromEnvironment(v => v == TelemetryExport.EndpointVariable ? "collector:4318" : null);

        act.Should().Throw<ArgumentException>().WithMessage("*OTEL_EXPORTER_OTLP_ENDPOINT*collector:4318*");
    }

    [Fact]
    public async Task The_tool_exits_2_naming_a_bad_endpoint_before_it_does_anything()
    {
        var outcome = await ChaosCli.RunAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken,
            [(TelemetryExport.EndpointVariable, "collector:4318")], "list", "--json");

        outcome.ExitCode.Should().Be(2);
        outcome.Stdout.Should().BeEmpty();
        outcome.Stderr.Should().Contain("OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' is not an http or https URL");
    }

    [Fact]
    public async Task With_an_endpoint_the_harness_spans_and_metrics_are_posted_over_otlp_http_with_the_headers()
    {
        var ct = TestContext.Current.CancellationToken;
        var port = FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var posted = new ConcurrentBag<(string Path, string? Header, byte[] Body)>();
        var serving = Task.Run(
            async () =>
            {
                while (collector.IsListening)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await collector.GetContextAsync();
                    }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                    {
                        return;
                    }

                    using var body = new MemoryStream();
                    await context.Request.InputStream.CopyToAsync(body, ct);
                    posted.Add((context.Request.Url!.AbsolutePath, context.Request.Headers["x-chaos-test"], body.ToArray()));
                    context.Response.StatusCode = 200;
                    context.Response.Close();
                }
            },
            ct);
        var marker = $"marker-{Guid.NewGuid():N}";
        var environment = new Dictionary<string, string>
        {
            [TelemetryExport.EndpointVariable] = $"http://127.0.0.1:{port}",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-chaos-test=yes",
        };

        using (TelemetryExport.FromEnvironment(v => environment.GetValueOrDefault(v)))
        {
            // what the nemesis and the history do, through a source and meter of the same name
            using var source = new ActivitySource(HarnessTelemetry.Name);
            using var meter = new Meter(HarnessTelemetry.Name);
            using (var span = source.StartActivity($"fault {marker}"))
            {
                span.Should().NotBeNull("the exporter's provider listens to the harness's source");
            }

            meter.CreateCounter<long>("chaos.test." + marker).Add(3);
        }

        collector.Stop();
        await serving.WaitAsync(TimeSpan.FromSeconds(10), ct);
        var traces = posted.Where(p => p.Path == "/v1/traces").ToList();
        var metrics = posted.Where(p => p.Path == "/v1/metrics").ToList();
        traces.Should().Contain(p => Encoding.UTF8.GetString(p.Body).Contains($"fault {marker}"), "the span was exported when the providers were disposed");
        metrics.Should().Contain(p => Encoding.UTF8.GetString(p.Body).Contains("chaos.test." + marker), "so was the metric");
        posted.Should().OnlyContain(p => p.Header == "yes", "OTEL_EXPORTER_OTLP_HEADERS is sent with every export");
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
