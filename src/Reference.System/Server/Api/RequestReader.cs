using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Chaos.Reference.Api;

/// <summary>
/// Reads and validates a request by hand so every refusal is a 4xx naming the field at fault: the body must be a JSON
/// object sent as <c>application/json</c> (UTF-8), at most <see cref="MaxBodyBytes"/>, without duplicate keys; every
/// string valid Unicode (no lone surrogate, no invalid UTF-8) without NUL; identifiers also without control characters
/// and at most <see cref="MaxIdBytes"/>; user and device names from a small alphabet; numbers in range.
/// </summary>
internal static partial class RequestReader
{
    /// <summary>The whole request body limit (Kestrel's own is higher, so an oversize body gets our 413).</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The limit on a message's or notification's payload text (UTF-8 bytes).</summary>
    public const int MaxPayloadBytes = 8 * 1024;

    public const int MaxRecipients = 1000;

    /// <summary>The limit on ids, keys and names (UTF-8 bytes).</summary>
    public const int MaxIdBytes = 128;

    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowDuplicateProperties = false, MaxDepth = 32 };

    public static async Task<(JsonElement Root, string Hash)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
        {
            throw new ApiError(415, "the body must be JSON sent as 'Content-Type: application/json' (UTF-8)");
        }

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
        catch (BadHttpRequestException e)
        {
            // e.g. a body shorter than its Content-Length: the client's fault, answered (if it still listens), not logged
            throw new ApiError(e.StatusCode is >= 400 and < 500 ? e.StatusCode : 400, $"request body: {e.Message}");
        }

        if (body.Length > MaxBodyBytes)
        {
            throw new ApiError(413, $"request body exceeds {MaxBodyBytes} bytes");
        }

        try
        {
            using var doc = JsonDocument.Parse(body, DocumentOptions);
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

    /// <summary>A required text field (a message body, a secret): valid Unicode, no NUL, at most <paramref name="maxBytes"/>.</summary>
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

        return p.ValueKind == JsonValueKind.String ? CheckText(Text(p, $"field '{name}'"), $"field '{name}'", maxBytes) : throw new ApiError($"field '{name}' must be a string");
    }

    /// <summary>A required identifier (idempotency key, message id, account, transaction id): text without control characters, at most 128 bytes.</summary>
    public static string RequiredId(JsonElement root, string name) =>
        OptionalId(root, name) is { Length: > 0 } id && !string.IsNullOrWhiteSpace(id) ? id : throw new ApiError($"missing field '{name}'");

    public static string? OptionalId(JsonElement root, string name) =>
        OptionalString(root, name, MaxIdBytes) is { } id ? CheckId(id, $"field '{name}'") : null;

    /// <summary>A user name: 1–128 of <c>A-Z a-z 0-9 . _ @ + -</c> (so it is safe in a path, a log line and a header).</summary>
    public static string RequiredUserId(JsonElement root, string name) =>
        OptionalUserId(root, name) ?? throw new ApiError($"missing field '{name}'");

    public static string? OptionalUserId(JsonElement root, string name) =>
        OptionalString(root, name, MaxIdBytes) is { } user ? CheckName(user, $"field '{name}'") : null;

    public static long RequiredInteger(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            throw new ApiError($"missing field '{name}'");
        }

        return p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var v) ? v : throw new ApiError($"field '{name}' must be an integer");
    }

    /// <summary>An optional integer within <paramref name="min"/>..<paramref name="max"/>; null when absent.</summary>
    public static long? OptionalInteger(JsonElement root, string name, long min, long max)
    {
        if (!root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out var v) && v >= min && v <= max
            ? v
            : throw new ApiError(string.Create(CultureInfo.InvariantCulture, $"field '{name}' must be an integer within {min}..{max}"));
    }

    /// <summary>An optional finite number within <paramref name="min"/>..<paramref name="max"/>; null when absent.</summary>
    public static double? OptionalNumber(JsonElement root, string name, double min, double max)
    {
        if (!root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return p.ValueKind == JsonValueKind.Number && p.TryGetDouble(out var v) && double.IsFinite(v) && v >= min && v <= max
            ? v
            : throw new ApiError(string.Create(CultureInfo.InvariantCulture, $"field '{name}' must be a number within {min}..{max}"));
    }

    /// <summary>An array of user names, distinct, 1..<see cref="MaxRecipients"/>.</summary>
    public static IReadOnlyList<string> RequiredUserIds(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var p) || p.ValueKind == JsonValueKind.Null)
        {
            throw new ApiError($"missing field '{name}'");
        }

        if (p.ValueKind != JsonValueKind.Array || p.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
        {
            throw new ApiError($"field '{name}' must be an array of user ids");
        }

        if (p.GetArrayLength() > MaxRecipients)
        {
            throw new ApiError(413, $"field '{name}' names more than {MaxRecipients} users");
        }

        var list = p.EnumerateArray().Select(e => CheckName(Text(e, $"field '{name}'"), $"field '{name}'")).Distinct(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? throw new ApiError($"field '{name}' must name at least one user") : list;
    }

    /// <summary>The Idempotency-Key header, else the body's idempotencyKey; null when neither is given.</summary>
    public static string? OptionalIdempotencyKey(HttpRequest request, JsonElement root)
    {
        var header = request.Headers["Idempotency-Key"].ToString();
        return string.IsNullOrWhiteSpace(header) ? OptionalId(root, "idempotencyKey") : CheckId(CheckText(header, "header 'Idempotency-Key'", MaxIdBytes), "header 'Idempotency-Key'");
    }

    public static string IdempotencyKey(HttpRequest request, JsonElement root) =>
        OptionalIdempotencyKey(request, root) is { } key && !string.IsNullOrWhiteSpace(key)
            ? key
            : throw new ApiError("missing idempotency key (Idempotency-Key header or 'idempotencyKey' field)");

    /// <summary>An integer query parameter; <paramref name="fallback"/> when absent.</summary>
    public static long QueryInteger(HttpRequest request, string name, long fallback)
    {
        var text = request.Query[name].ToString();
        return text.Length == 0 ? fallback
            : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v
            : throw new ApiError($"query parameter '{name}' must be an integer");
    }

    /// <summary>A device-name query parameter; null when absent.</summary>
    public static string? QueryName(HttpRequest request, string name)
    {
        var text = request.Query[name].ToString();
        return text.Length == 0 ? null : CheckName(text, $"query parameter '{name}'");
    }

    /// <summary>Refuses a name outside the user/device alphabet.</summary>
    public static string CheckName(string value, string what) =>
        NamePattern().IsMatch(value) ? value : throw new ApiError($"{what} must be 1-{MaxIdBytes} of A-Z a-z 0-9 . _ @ + -");

    private static string Text(JsonElement element, string what)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // System.Text.Json reads a lone surrogate escape or invalid UTF-8 fine and only refuses to make a string of it
            throw new ApiError($"{what} is not valid Unicode (a lone surrogate or invalid UTF-8)");
        }
    }

    private static string CheckText(string value, string what, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(value) > maxBytes)
        {
            throw new ApiError(413, $"{what} exceeds {maxBytes} bytes");
        }

        return value.Contains('\0', StringComparison.Ordinal) ? throw new ApiError($"{what} must not contain NUL characters") : value;
    }

    private static string CheckId(string value, string what) =>
        value.Any(char.IsControl) ? throw new ApiError($"{what} must not contain control characters") : value;

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (string.Equals(media.MediaType, "application/json", StringComparison.OrdinalIgnoreCase) || media.MediaType?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) == true)
        && (media.CharSet is null || media.CharSet.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex("^[A-Za-z0-9._@+-]{1,128}$")]
    private static partial Regex NamePattern();
}
