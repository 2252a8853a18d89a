using System.Diagnostics;
using System.Text;
using Confluent.Kafka;

namespace Chaos.Reference.Observability;

/// <summary>
/// A message's path as one trace (docs/reference-system.md, "Traces"): <c>api send</c> → <c>outbox publish</c> →
/// <c>notifier deliver</c> → <c>gateway dispatch</c>. The W3C context crosses the outbox in the row
/// (<c>outbox.trace_parent</c>) and Kafka in a <c>traceparent</c> header. A span is made only under a traced parent
/// and only when a tracer listens (OTLP configured, <see cref="Telemetry"/>): otherwise nothing is started, stored or
/// sent, so an untraced run pays a null check per message.
/// </summary>
internal static class SystemTracing
{
    public const string SourceName = "Reference.System";

    /// <summary>The W3C header, on HTTP requests and Kafka records alike.</summary>
    public const string Header = "traceparent";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>A span under <paramref name="parent"/>; null when the parent is not a trace or nothing listens.</summary>
    public static Activity? StartChild(string name, ActivityKind kind, ActivityContext parent, DateTimeOffset startTime = default) =>
        parent == default ? null : Source.StartActivity(name, kind, parent, startTime: startTime);

    /// <summary>The context a W3C <c>traceparent</c> value names; default when there is none or it is malformed.</summary>
    public static ActivityContext Parse(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;

    /// <summary>The context a Kafka record's <c>traceparent</c> header names; default when it has none.</summary>
    public static ActivityContext FromHeaders(Headers? headers) =>
        headers is not null && headers.TryGetLastBytes(Header, out var value) ? Parse(Encoding.ASCII.GetString(value)) : default;

    /// <summary>Kafka headers carrying <paramref name="span"/>'s context; null when there is no span.</summary>
    public static Headers? HeadersOf(Activity? span) =>
        span?.Id is { } id ? new Headers { { Header, Encoding.ASCII.GetBytes(id) } } : null;
}
