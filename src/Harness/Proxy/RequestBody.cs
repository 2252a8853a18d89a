using System.Text.Json;
using System.Text.Json.Nodes;

namespace Chaos.Harness.Proxy;

/// <summary>
/// A request's JSON body, parsed up front but failing only when used: Toxiproxy looks the proxy (404) up before it
/// decodes the body (400), and so must we.
/// </summary>
internal sealed class RequestBody
{
    private static readonly JsonNodeOptions Options = new() { PropertyNameCaseInsensitive = true };

    private readonly JsonNode? _node;
    private readonly string? _error;

    private RequestBody(JsonNode? node, string? error)
    {
        _node = node;
        _error = error;
    }

    public static async Task<RequestBody> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        try
        {
            var node = await JsonNode.ParseAsync(body, Options, cancellationToken: cancellationToken);
            DecodeStrings(node);
            return new RequestBody(node, node is null ? "null" : null);
        }
        catch (JsonException e)
        {
            return new RequestBody(null, e.Message);
        }
        catch (InvalidOperationException)
        {
            // a property name or string that is no .NET text (a lone surrogate escape, "\ud800"): JsonNode decodes
            // them lazily and throws this where they are first read — found by tests/Harness.Tests/Fuzz as a 500
            return new RequestBody(null, "a string is not valid text (a lone surrogate escape?)");
        }
        catch (ArgumentException e)
        {
            // a property named twice in one object: JsonObject refuses it where it is first read (a 500, before)
            return new RequestBody(null, e.Message);
        }
    }

    /// <summary>Decodes every property name and string now (JsonNode's maximum depth, 64, bounds the walk).</summary>
    private static void DecodeStrings(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, value) in o)
                {
                    DecodeStrings(value);
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    DecodeStrings(item);
                }

                break;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                _ = v.GetValue<string>();
                break;
        }
    }

    /// <summary>The body as an object; Go's decoder treats JSON <c>null</c> as "no fields".</summary>
    public JsonObject Object => _error is not null && _error != "null"
        ? throw ProxyApiException.BadRequestBody(_error)
        : _node switch
        {
            null => [],
            JsonObject o => o,
            _ => throw ProxyApiException.BadRequestBody($"json: cannot unmarshal {_node.GetValueKind().ToString().ToLowerInvariant()} into an object"),
        };

    public JsonArray Array => _error is not null
        ? throw ProxyApiException.BadRequestBody(_error)
        : _node as JsonArray ?? throw ProxyApiException.BadRequestBody(
            $"json: cannot unmarshal {_node!.GetValueKind().ToString().ToLowerInvariant()} into an array of proxies");

    public static string? String(JsonObject o, string key) => o[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var other => throw WrongType(key, other, "string"),
    };

    public static bool? Bool(JsonObject o, string key) => o[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        var other => throw WrongType(key, other, "bool"),
    };

    public static float? Float(JsonObject o, string key) => o[key] switch
    {
        null => null,
        // a number beyond float32's range is refused as Go's decoder refuses it (a 500, before: found by
        // tests/Harness.Tests/Fuzz with a toxicity of 300 digits, which double parsing cannot hold either)
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var value)
            && float.IsFinite((float)value) => (float)value,
        var other => throw WrongType(key, other, "float32"),
    };

    public static long? Long(JsonObject o, string key) => o[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<long>(out var value) => value,
        var other => throw WrongType(key, other, "int64"),
    };

    private static ProxyApiException WrongType(string key, JsonNode node, string type)
    {
        var what = node.GetValueKind() == JsonValueKind.Number ? "number " + node.ToJsonString() : node.GetValueKind().ToString().ToLowerInvariant();
        return ProxyApiException.BadRequestBody($"json: cannot unmarshal {what} into field {key} of type {type}");
    }
}
