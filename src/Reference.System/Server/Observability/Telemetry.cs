using Chaos.Reference.Hosting;
using Chaos.Reference.Security;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Chaos.Reference.Observability;

/// <summary>
/// The system's instruments (<see cref="SystemMetrics"/>) through OpenTelemetry (docs/reference-system.md, "Metrics"):
/// a Prometheus scrape endpoint on every role, and OTLP export when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names a
/// collector. The protocol is read as the specification (and the <c>chaos</c> tool, which the nodes inherit the
/// variables from) reads it: <c>http/protobuf</c> to the endpoint's <c>/v1/metrics</c> unless
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> is <c>grpc</c> — the .NET exporter's own default is gRPC; the other
/// OTEL_EXPORTER_OTLP_* settings (headers, interval) are the exporter's. The JSON <c>/metrics</c> is a view of the same
/// instruments (<see cref="MetricsSnapshot"/>), kept for the harness, which reads it without a Prometheus parser.
/// </summary>
internal static class Telemetry
{
    public const string ScrapePath = "/metrics/prometheus";

    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IServiceCollection AddTelemetry(this IServiceCollection services, SystemOptions options)
    {
        var endpoint = Environment.GetEnvironmentVariable(OtlpEndpointVariable) is { } e && !string.IsNullOrWhiteSpace(e) ? e.Trim().TrimEnd('/') : null;
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService($"refsys-{options.Role}", serviceInstanceId: options.Instance))
            .WithMetrics(metrics =>
            {
                // every scrape reads the instruments as they are now: the exporter's default caches a response for 300 ms,
                // so a scrape just after another showed counts from before what the scraper had just done
                metrics.AddMeter(SystemMetrics.MeterName).AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0);
                if (endpoint is not null)
                {
                    // pushed every 60 s (OTEL_METRIC_EXPORT_INTERVAL): only with a collector named, so an unconfigured
                    // node runs no exporting thread
                    metrics.AddOtlpExporter(o => Otlp(o, endpoint, "/v1/metrics"));
                }
            });
        if (endpoint is not null)
        {
            // a message's path as one trace (SystemTracing), with ASP.NET Core's request spans as the api's roots; in
            // batches every 5 s (OTEL_BSP_SCHEDULE_DELAY). Without a collector no tracer listens and no span is made.
            telemetry.WithTracing(tracing => tracing
                .AddSource(SystemTracing.SourceName, "Microsoft.AspNetCore")
                .AddOtlpExporter(o => Otlp(o, endpoint, "/v1/traces")));
        }

        return services;
    }

    /// <summary>http/protobuf to the endpoint's signal path, unless <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> is <c>grpc</c>
    /// (then the exporter's own reading of the endpoint).</summary>
    private static void Otlp(OtlpExporterOptions o, string endpoint, string signalPath)
    {
        if (!string.Equals(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_PROTOCOL")?.Trim(), "grpc", StringComparison.OrdinalIgnoreCase))
        {
            o.Protocol = OtlpExportProtocol.HttpProtobuf;
            o.Endpoint = new Uri(endpoint + signalPath);
        }
    }

    /// <summary>Why <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> cannot be used (not an http or https URL); null when it can or is unset.</summary>
    public static string? OtlpEndpointProblem(Func<string, string?> environment)
    {
        var endpoint = environment(OtlpEndpointVariable);
        return string.IsNullOrWhiteSpace(endpoint)
            || (Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            ? null
            : $"{OtlpEndpointVariable}: '{endpoint}' is not an http or https URL";
    }

    /// <summary>The scrape endpoint: the admin key, from loopback only, like the other admin endpoints.</summary>
    public static void MapTelemetry(this WebApplication app)
    {
        app.UseWhen(http => http.Request.Path == ScrapePath, branch => branch.Use(async (http, next) =>
        {
            if (SystemHost.FromLoopback(http))
            {
                await next(http);
                return;
            }

            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            await http.Response.WriteAsJsonAsync(new { error = SystemHost.LoopbackOnlyError });
        }));
        app.MapPrometheusScrapingEndpoint(ScrapePath).RequireAuthorization(AccessPolicies.Admin);
    }
}
