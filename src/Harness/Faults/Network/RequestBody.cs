using System.Text.Json;
using System.Text.Json.Nodes;

namespace Chaos.Harness.Faults.Network;

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
            return new RequestBody(node, node is null ? "null" : null);
        }
        catch (JsonException e)
        {
            return new RequestBody(null, e.Message);
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
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Text(key, v),
        var other => throw WrongType(key, other, "string"),
    };

    // GetValue throws InvalidOperationException for a string that is no .NET text (a lone surrogate escape, "\ud800"):
    // a 400 naming the field, not a 500
    private static string Text(string key, JsonValue value)
    {
        try
        {
            return value.GetValue<string>();
        }
        catch (InvalidOperationException)
        {
            throw ProxyApiException.BadRequestBody($"{key} is not valid text (a lone surrogate escape?)");
        }
    }

    public static bool? Bool(JsonObject o, string key) => o[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        var other => throw WrongType(key, other, "bool"),
    };

    public static float? Float(JsonObject o, string key) => o[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => (float)v.GetValue<double>(),
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
