using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Chaos.Reference.Api;

/// <summary>Reads and validates a JSON body by hand so every refusal names the field at fault.</summary>
internal static class RequestReader
{
    /// <summary>The whole request body limit (also set on Kestrel).</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The limit on a message's or notification's payload text (UTF-8 bytes).</summary>
    public const int MaxPayloadBytes = 8 * 1024;

    public const int MaxRecipients = 1000;

    public static async Task<(JsonElement Root, string Hash)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw new ApiError(413, $"request body exceeds {MaxBodyBytes} bytes");
        }

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellationToken);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == 413)
        {
            throw new ApiError(413, $"request body exceeds {MaxBodyBytes} bytes");
        }

        if (body.Length > MaxBodyBytes)
        {
            throw new ApiError(413, $"request body exceeds {MaxBodyBytes} bytes");
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ApiError("the body must be a JSON object");
            }

            return (doc.RootElement.Clone(), Convert.ToHexString(SHA256.HashData(body)));
        }
        catch (JsonException e)
        {
            throw new ApiError($"malformed JSON: {e.Message}");
        }
    }

    public static string RequiredString(JsonElement root, string name, int maxBytes = 256)
    {
        var value = OptionalString(root, name, maxBytes);
        return string.IsNullOrWhiteSpace(value) ? throw new ApiError($"missing field '{name}'") : value;
    }

    public static string? OptionalString(JsonElement root, string name, int maxBytes = 256)
    {
        if (!root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (p.ValueKind != JsonValueKind.String)
        {
            throw new ApiError($"field '{name}' must be a string");
        }

        var s = p.GetString()!;
        if (Encoding.UTF8.GetByteCount(s) > maxBytes)
        {
            throw new ApiError(413, $"field '{name}' exceeds {maxBytes} bytes");
        }

        return s;
    }

    public static long RequiredInteger(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            throw new ApiError($"missing field '{name}'");
        }

        return p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var v) ? v : throw new ApiError($"field '{name}' must be an integer");
    }

    public static IReadOnlyList<string> RequiredStringArray(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            throw new ApiError($"missing field '{name}'");
        }

        if (p.ValueKind != JsonValueKind.Array || p.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(e.GetString())))
        {
            throw new ApiError($"field '{name}' must be an array of user ids");
        }

        var list = p.EnumerateArray().Select(e => e.GetString()!).Distinct(StringComparer.Ordinal).ToList();
        return list.Count switch
        {
            0 => throw new ApiError($"field '{name}' must name at least one user"),
            > MaxRecipients => throw new ApiError(413, $"field '{name}' names more than {MaxRecipients} users"),
            _ => list,
        };
    }

    /// <summary>The Idempotency-Key header, else the body's idempotencyKey.</summary>
    public static string IdempotencyKey(HttpRequest request, JsonElement root)
    {
        var header = request.Headers["Idempotency-Key"].ToString();
        var key = string.IsNullOrWhiteSpace(header) ? OptionalString(root, "idempotencyKey") : header;
        return string.IsNullOrWhiteSpace(key) ? throw new ApiError("missing idempotency key (Idempotency-Key header or 'idempotencyKey' field)") : key;
    }
}
