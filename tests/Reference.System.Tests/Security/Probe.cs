using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Chaos.Reference.Tests.Security;

/// <summary>Requests the security tests send, and how they read the answers.</summary>
internal static class Probe
{
    /// <summary>Every route parameter of the route tables, with the value the probes give it.</summary>
    public static string Path(RouteEntry route, string user = "alice") => route.Route
        .Replace("{id}", user, StringComparison.Ordinal)
        .Replace("{key}", "probe-job", StringComparison.Ordinal)
        .Replace("{name}", "api.before-persist", StringComparison.Ordinal);

    /// <summary>The methods a route is probed with ("*" means any: the ones SignalR answers).</summary>
    public static IEnumerable<HttpMethod> Methods(RouteEntry route) =>
        route.Method == "*" ? [HttpMethod.Get, HttpMethod.Post, HttpMethod.Delete] : [new HttpMethod(route.Method)];

    public static async Task<(int Status, string Body)> SendAsync(HttpClient http, Uri baseUrl, HttpMethod method, string pathAndQuery,
        AuthenticationHeaderValue? authorization, byte[]? body, string? contentType, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(baseUrl, pathAndQuery));
        request.Headers.Authorization = authorization;
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (contentType is not null)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        using var response = await http.SendAsync(request, cancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancellationToken));
    }

    public static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>True when <paramref name="body"/> is <c>{"error": "..."}</c> with a non-empty message.</summary>
    public static bool IsJsonError(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("error", out var e)
                && e.ValueKind == JsonValueKind.String
                && e.GetString()!.Length > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>True when <paramref name="body"/> is JSON of any shape.</summary>
    public static bool IsJson(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static string Shorten(string text) => text.Length > 160 ? text[..160] + "..." : text;
}
