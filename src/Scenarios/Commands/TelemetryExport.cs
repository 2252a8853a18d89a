using Chaos.Harness.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Chaos.Scenarios.Commands;

/// <summary>
/// OTLP export of the harness's spans and metrics (<see cref="HarnessTelemetry"/>; docs/running.md, "OpenTelemetry")
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> names a collector, read as the OpenTelemetry specification says:
/// <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> <c>http/protobuf</c> (the default: the endpoint's <c>/v1/traces</c> and
/// <c>/v1/metrics</c>) or <c>grpc</c>, <c>OTEL_EXPORTER_OTLP_HEADERS</c> as <c>key=value,…</c>. Disposing flushes what
/// is pending. The reference system's nodes inherit the variables and export their own metrics (docs/reference-system.md).
/// </summary>
internal static class TelemetryExport
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The providers, or null when no collector is named; an endpoint that is not an absolute URI is an <see cref="ArgumentException"/> naming it.</summary>
    public static IDisposable? FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var endpoint = environment(EndpointVariable);
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return null;
        }

        if (!Uri.TryCreate(endpoint.Trim(), UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"{EndpointVariable}: '{endpoint}' is not an http or https URL");
        }

        var grpc = string.Equals(environment("OTEL_EXPORTER_OTLP_PROTOCOL")?.Trim(), "grpc", StringComparison.OrdinalIgnoreCase);
        var headers = environment("OTEL_EXPORTER_OTLP_HEADERS");
        void Configure(OtlpExporterOptions o, string signal)
        {
            o.Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
            o.Endpoint = grpc ? baseUri : new Uri(baseUri.AbsoluteUri.TrimEnd('/') + signal);
            if (!string.IsNullOrWhiteSpace(headers))
            {
                o.Headers = headers;
            }
        }

        var resource = ResourceBuilder.CreateDefault().AddService("chaos");
        var tracer = Sdk.CreateTracerProviderBuilder().SetResourceBuilder(resource).AddSource(HarnessTelemetry.Name)
            .AddOtlpExporter(o => Configure(o, "/v1/traces")).Build();
        var meter = Sdk.CreateMeterProviderBuilder().SetResourceBuilder(resource).AddMeter(HarnessTelemetry.Name)
            .AddOtlpExporter(o => Configure(o, "/v1/metrics")).Build();
        return new Providers(tracer, meter);
    }

    private sealed class Providers(TracerProvider? tracer, MeterProvider? meter) : IDisposable
    {
        public void Dispose()
        {
            // disposing a provider flushes it: the last spans and a final metric export reach the collector
            tracer?.Dispose();
            meter?.Dispose();
        }
    }
}
