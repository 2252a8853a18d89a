using System.Net;
using Chaos.Reference.Hosting;
using Chaos.Reference.Security;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Chaos.Reference.Observability;

/// <summary>
/// The system's instruments (<see cref="SystemMetrics"/>) through OpenTelemetry (docs/reference-system.md, "Metrics"):
/// a Prometheus scrape endpoint on every role, and OTLP export when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names a
/// collector (the exporter reads the standard OTEL_EXPORTER_OTLP_* variables). The JSON <c>/metrics</c> is a view of
/// the same instruments (<see cref="MetricsSnapshot"/>), kept for the harness, which reads it without a Prometheus parser.
/// </summary>
internal static class Telemetry
{
    public const string ScrapePath = "/metrics/prometheus";

    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IServiceCollection AddTelemetry(this IServiceCollection services, SystemOptions options)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService($"refsys-{options.Role}", serviceInstanceId: options.Instance))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(SystemMetrics.MeterName).AddPrometheusExporter();
                if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(OtlpEndpointVariable)))
                {
                    // pushed every 60 s (OTEL_METRIC_EXPORT_INTERVAL): only with a collector named, so an unconfigured
                    // node runs no exporting thread
                    metrics.AddOtlpExporter();
                }
            });
        return services;
    }

    /// <summary>The scrape endpoint: the admin key, from loopback only, like the other admin endpoints.</summary>
    public static void MapTelemetry(this WebApplication app)
    {
        app.UseWhen(http => http.Request.Path == ScrapePath, branch => branch.Use(async (http, next) =>
        {
            if (http.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip))
            {
                await next(http);
                return;
            }

            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            await http.Response.WriteAsJsonAsync(new { error = "admin endpoints are loopback-only" });
        }));
        app.MapPrometheusScrapingEndpoint(ScrapePath).RequireAuthorization(AccessPolicies.Admin);
    }
}
