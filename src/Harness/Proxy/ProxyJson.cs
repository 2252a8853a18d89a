using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Chaos.Harness.Proxy.Toxics;

namespace Chaos.Harness.Proxy;

/// <summary>Toxiproxy's JSON shapes (field names and order as its Go structs marshal them) and toxic parsing.</summary>
internal static class ProxyJson
{
    public static byte[] Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void WriteProxy(Utf8JsonWriter w, TcpFaultProxy proxy)
    {
        w.WriteStartObject();
        w.WriteString("name", proxy.Name);
        w.WriteString("listen", proxy.Listen);
        w.WriteString("upstream", proxy.Upstream);
        w.WriteBoolean("enabled", proxy.Enabled);
        w.WritePropertyName("toxics");
        WriteToxics(w, proxy.Toxics);
        w.WriteEndObject();
    }

    /// <summary>Upstream toxics first, then downstream, each in the order added (Toxiproxy's chain order).</summary>
    public static void WriteToxics(Utf8JsonWriter w, IEnumerable<ToxicDefinition> toxics)
    {
        w.WriteStartArray();
        foreach (var toxic in toxics.OrderBy(t => t.Stream == ToxicStream.Upstream ? 0 : 1))
        {
            WriteToxic(w, toxic);
        }

        w.WriteEndArray();
    }

    public static void WriteToxic(Utf8JsonWriter w, ToxicDefinition toxic)
    {
        w.WriteStartObject();
        w.WriteStartObject("attributes");
        for (var i = 0; i < toxic.Attributes.Count; i++)
        {
            w.WriteNumber(toxic.Behavior.AttributeNames[i], toxic.Attributes[i]);
        }

        w.WriteEndObject();
        w.WriteString("name", toxic.Name);
        w.WriteString("type", toxic.Type);
        w.WriteString("stream", StreamName(toxic.Stream));
        w.WriteNumber("toxicity", toxic.Toxicity);
        w.WriteEndObject();
    }

    public static void WriteConnection(Utf8JsonWriter w, ProxiedConnection connection)
    {
        w.WriteStartObject();
        w.WriteNumber("id", connection.Id);
        w.WriteString("client", connection.ClientAddress);
        w.WriteString("upstream", connection.UpstreamAddress);
        w.WriteNumber("bytes_upstream", connection.Upstream.BytesForwarded);
        w.WriteNumber("bytes_downstream", connection.Downstream.BytesForwarded);
        w.WriteNumber("held_upstream", connection.Upstream.BytesHeld);
        w.WriteNumber("held_downstream", connection.Downstream.BytesHeld);
        w.WriteNumber("unread_upstream", connection.Upstream.BytesUnread);
        w.WriteNumber("unread_downstream", connection.Downstream.BytesUnread);
        w.WritePropertyName("toxics");
        WriteToxics(w, connection.Toxics);
        w.WriteEndObject();
    }

    public static void WriteError(Utf8JsonWriter w, ProxyApiException error)
    {
        w.WriteString("error", error.Message);
        w.WriteNumber("status", error.Status);
    }

    public static string StreamName(ToxicStream stream) => stream == ToxicStream.Upstream ? "upstream" : "downstream";

    public static bool TryParseStream(string value, out ToxicStream stream)
    {
        stream = ToxicStream.Downstream;
        if (string.Equals(value, "downstream", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        stream = ToxicStream.Upstream;
        return string.Equals(value, "upstream", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>A new toxic from a create body, checked in Toxiproxy's order: stream, type, name clash, attributes.</summary>
    public static ToxicDefinition ParseNewToxic(JsonObject body, Func<string, bool> nameTaken)
    {
        var streamText = RequestBody.String(body, "stream") ?? "downstream";
        if (!TryParseStream(streamText, out var stream))
        {
            throw ProxyApiException.InvalidStream();
        }

        var type = RequestBody.String(body, "type");
        var name = RequestBody.String(body, "name");
        if (string.IsNullOrEmpty(name))
        {
            name = $"{type}_{StreamName(stream)}";
        }

        if (!ToxicTypes.TryGet(type, out var behavior))
        {
            throw ProxyApiException.InvalidToxicType();
        }

        if (nameTaken(name))
        {
            throw ProxyApiException.ToxicAlreadyExists();
        }

        var toxicity = RequestBody.Float(body, "toxicity") ?? 1f;
        var attributes = ParseAttributes(body, behavior, new long[behavior.AttributeNames.Count]);
        return new ToxicDefinition(name, behavior, stream, toxicity, attributes);
    }

    /// <summary>An update: given attributes and toxicity replace the old ones; the rest are kept.</summary>
    public static ToxicDefinition ParseToxicUpdate(JsonObject body, ToxicDefinition old)
    {
        var toxicity = RequestBody.Float(body, "toxicity") ?? old.Toxicity;
        var attributes = ParseAttributes(body, old.Behavior, [.. old.Attributes]);
        return old.With(toxicity, attributes);
    }

    private static long[] ParseAttributes(JsonObject body, ToxicBehavior behavior, long[] values)
    {
        switch (body["attributes"])
        {
            case null:
                return values;
            case JsonObject attributes:
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = RequestBody.Long(attributes, behavior.AttributeNames[i]) ?? values[i];
                }

                return values;
            case var other:
                throw ProxyApiException.BadRequestBody(
                    $"json: cannot unmarshal {other.GetValueKind().ToString().ToLowerInvariant()} into field attributes of type {behavior.Type} attributes");
        }
    }
}
