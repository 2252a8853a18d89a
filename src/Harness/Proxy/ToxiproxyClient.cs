using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Chaos.Harness.Proxy;

/// <summary>
/// A client for Toxiproxy's 2.x HTTP API. It drives our <see cref="FaultProxyServer"/> or a real Toxiproxy alike;
/// the connection methods are our extension and get <see cref="ToxiproxyNotFoundException"/> from a real one.
/// Error statuses become typed exceptions: 400 <see cref="ToxiproxyBadRequestException"/>, 404
/// <see cref="ToxiproxyNotFoundException"/>, 409 <see cref="ToxiproxyConflictException"/>, others
/// <see cref="ToxiproxyException"/>.
/// </summary>
public sealed class ToxiproxyClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>A client for the API at <paramref name="apiAddress"/> (e.g. <c>http://127.0.0.1:8474/</c>).</summary>
    /// <param name="apiAddress">The API's base address.</param>
    /// <param name="httpClient">An HttpClient to use (not disposed by this client); null creates one.</param>
    public ToxiproxyClient(Uri apiAddress, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(apiAddress);
        ApiAddress = apiAddress.AbsoluteUri.EndsWith('/') ? apiAddress : new Uri(apiAddress.AbsoluteUri + "/");
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri ApiAddress { get; }

    /// <summary>The server's version (<c>GET /version</c>); JSON or, from old servers, plain text.</summary>
    public async Task<string> GetVersionAsync(CancellationToken cancellationToken)
    {
        var text = (await SendAsync(HttpMethod.Get, "version", null, cancellationToken)).Trim();
        try
        {
            return JsonNode.Parse(text)?["version"]?.GetValue<string>() ?? text;
        }
        catch (JsonException)
        {
            return text;
        }
    }

    public async Task<IReadOnlyDictionary<string, ProxyInfo>> GetProxiesAsync(CancellationToken cancellationToken)
    {
        var json = await GetJsonAsync<JsonObject>("proxies", cancellationToken);
        return json.ToDictionary(p => p.Key, p => ParseProxy(p.Value!.AsObject()), StringComparer.Ordinal);
    }

    /// <summary>Creates a proxy (201). Listen <c>127.0.0.1:0</c> picks a free port; the result carries it.</summary>
    public async Task<ProxyInfo> CreateProxyAsync(string name, string listen, string upstream, bool enabled, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["name"] = name, ["listen"] = listen, ["upstream"] = upstream, ["enabled"] = enabled };
        return ParseProxy(await PostJsonAsync("proxies", body, cancellationToken));
    }

    public async Task<ProxyInfo> GetProxyAsync(string name, CancellationToken cancellationToken) =>
        ParseProxy(await GetJsonAsync<JsonObject>(ProxyPath(name), cancellationToken));

    /// <summary>Updates the given fields (null leaves one as is). Changing listen or upstream drops connections.</summary>
    public async Task<ProxyInfo> UpdateProxyAsync(string name, string? listen, string? upstream, bool? enabled, CancellationToken cancellationToken)
    {
        var body = new JsonObject();
        if (listen is not null)
        {
            body["listen"] = listen;
        }

        if (upstream is not null)
        {
            body["upstream"] = upstream;
        }

        if (enabled is not null)
        {
            body["enabled"] = enabled;
        }

        return ParseProxy(await PostJsonAsync(ProxyPath(name), body, cancellationToken));
    }

    /// <summary>Takes a proxy down (connections closed, connects refused) or brings it back.</summary>
    public Task<ProxyInfo> SetEnabledAsync(string name, bool enabled, CancellationToken cancellationToken) =>
        UpdateProxyAsync(name, null, null, enabled, cancellationToken);

    public Task DeleteProxyAsync(string name, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, ProxyPath(name), null, cancellationToken);

    /// <summary>Creates or replaces proxies in bulk (<c>POST /populate</c>); identical existing ones are kept.</summary>
    public async Task<IReadOnlyList<ProxyInfo>> PopulateAsync(IEnumerable<ProxyInfo> proxies, CancellationToken cancellationToken)
    {
        var body = new JsonArray([.. proxies.Select(p => (JsonNode)new JsonObject
        {
            ["name"] = p.Name, ["listen"] = p.Listen, ["upstream"] = p.Upstream, ["enabled"] = p.Enabled,
        })]);
        var json = JsonNode.Parse(await SendAsync(HttpMethod.Post, "populate", body, cancellationToken))!.AsObject();
        return [.. (json["proxies"] as JsonArray ?? []).Select(p => ParseProxy(p!.AsObject()))];
    }

    /// <summary>Enables every proxy and removes every toxic (<c>POST /reset</c>).</summary>
    public Task ResetAsync(CancellationToken cancellationToken) => SendAsync(HttpMethod.Post, "reset", null, cancellationToken);

    public async Task<IReadOnlyList<ToxicInfo>> GetToxicsAsync(string proxy, CancellationToken cancellationToken) =>
        [.. (await GetJsonAsync<JsonArray>(ProxyPath(proxy) + "/toxics", cancellationToken)).Select(t => ParseToxic(t!.AsObject()))];

    public async Task<ToxicInfo> AddToxicAsync(string proxy, ToxicSpec toxic, CancellationToken cancellationToken) =>
        ParseToxic(await PostJsonAsync(ProxyPath(proxy) + "/toxics", ToxicBody(toxic), cancellationToken));

    public async Task<ToxicInfo> GetToxicAsync(string proxy, string toxic, CancellationToken cancellationToken) =>
        ParseToxic(await GetJsonAsync<JsonObject>(ToxicPath(proxy, toxic), cancellationToken));

    /// <summary>Changes the given attributes, and the toxicity when given; the rest stay.</summary>
    public async Task<ToxicInfo> UpdateToxicAsync(
        string proxy, string toxic, IReadOnlyDictionary<string, long> attributes, float? toxicity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var body = new JsonObject { ["attributes"] = Attributes(attributes) };
        if (toxicity is not null)
        {
            body["toxicity"] = toxicity;
        }

        return ParseToxic(await PostJsonAsync(ToxicPath(proxy, toxic), body, cancellationToken));
    }

    public Task RemoveToxicAsync(string proxy, string toxic, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, ToxicPath(proxy, toxic), null, cancellationToken);

    /// <summary>Our extension: the proxy's open connections.</summary>
    public async Task<IReadOnlyList<ConnectionInfo>> GetConnectionsAsync(string proxy, CancellationToken cancellationToken) =>
        [.. (await GetJsonAsync<JsonArray>(ProxyPath(proxy) + "/connections", cancellationToken)).Select(c => ParseConnection(c!.AsObject()))];

    /// <summary>Our extension: a toxic on one connection only.</summary>
    public async Task<ToxicInfo> AddConnectionToxicAsync(string proxy, long connection, ToxicSpec toxic, CancellationToken cancellationToken) =>
        ParseToxic(await PostJsonAsync(ConnectionPath(proxy, connection) + "/toxics", ToxicBody(toxic), cancellationToken));

    /// <summary>Our extension: removes a toxic from one connection.</summary>
    public Task RemoveConnectionToxicAsync(string proxy, long connection, string toxic, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, ConnectionPath(proxy, connection) + "/toxics/" + Uri.EscapeDataString(toxic), null, cancellationToken);

    /// <summary>Our extension: cuts one connection now, or after N more bytes (mid-frame).</summary>
    public Task CutConnectionAsync(string proxy, long connection, ConnectionCut cut, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cut);
        var body = new JsonObject
        {
            ["mode"] = cut.Reset ? "reset" : "close",
            ["stream"] = StreamName(cut.Stream),
            ["after_bytes"] = cut.AfterBytes,
        };
        return SendAsync(HttpMethod.Post, ConnectionPath(proxy, connection) + "/cut", body, cancellationToken);
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static string ProxyPath(string proxy) => "proxies/" + Uri.EscapeDataString(proxy);

    private static string ToxicPath(string proxy, string toxic) => ProxyPath(proxy) + "/toxics/" + Uri.EscapeDataString(toxic);

    private static string ConnectionPath(string proxy, long connection) =>
        ProxyPath(proxy) + "/connections/" + connection.ToString(CultureInfo.InvariantCulture);

    private static string StreamName(ToxicStream stream) => stream == ToxicStream.Upstream ? "upstream" : "downstream";

    private static JsonObject ToxicBody(ToxicSpec toxic)
    {
        ArgumentNullException.ThrowIfNull(toxic);
        return new JsonObject
        {
            ["name"] = toxic.EffectiveName,
            ["type"] = toxic.Type,
            ["stream"] = StreamName(toxic.Stream),
            ["toxicity"] = toxic.Toxicity,
            ["attributes"] = Attributes(toxic.Attributes),
        };
    }

    private static JsonObject Attributes(IReadOnlyDictionary<string, long> attributes)
    {
        var json = new JsonObject();
        foreach (var (key, value) in attributes)
        {
            json[key] = value;
        }

        return json;
    }

    private static ProxyInfo ParseProxy(JsonObject json) => new(
        json["name"]?.GetValue<string>() ?? string.Empty,
        json["listen"]?.GetValue<string>() ?? string.Empty,
        json["upstream"]?.GetValue<string>() ?? string.Empty,
        json["enabled"]?.GetValue<bool>() ?? false,
        [.. (json["toxics"] as JsonArray ?? []).Select(t => ParseToxic(t!.AsObject()))]);

    private static ToxicInfo ParseToxic(JsonObject json)
    {
        var attributes = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in json["attributes"] as JsonObject ?? [])
        {
            // Toxiproxy's own toxics take integers; a custom toxic's other values are not ours to type.
            if (value is JsonValue number && number.GetValueKind() == JsonValueKind.Number)
            {
                attributes[key] = (long)number.GetValue<double>();
            }
        }

        return new ToxicInfo(
            json["name"]?.GetValue<string>() ?? string.Empty,
            json["type"]?.GetValue<string>() ?? string.Empty,
            string.Equals(json["stream"]?.GetValue<string>(), "upstream", StringComparison.OrdinalIgnoreCase) ? ToxicStream.Upstream : ToxicStream.Downstream,
            (float)(json["toxicity"]?.GetValue<double>() ?? 1.0),
            attributes);
    }

    private static ConnectionInfo ParseConnection(JsonObject json) => new(
        json["id"]!.GetValue<long>(),
        json["client"]?.GetValue<string>() ?? string.Empty,
        json["upstream"]?.GetValue<string>() ?? string.Empty,
        json["bytes_upstream"]?.GetValue<long>() ?? 0,
        json["bytes_downstream"]?.GetValue<long>() ?? 0,
        [.. (json["toxics"] as JsonArray ?? []).Select(t => ParseToxic(t!.AsObject()))],
        new DirectionBytes(json["held_upstream"]?.GetValue<long>() ?? 0, json["held_downstream"]?.GetValue<long>() ?? 0),
        new DirectionBytes(json["unread_upstream"]?.GetValue<long>() ?? 0, json["unread_downstream"]?.GetValue<long>() ?? 0));

    private async Task<T> GetJsonAsync<T>(string path, CancellationToken cancellationToken)
        where T : JsonNode =>
        JsonNode.Parse(await SendAsync(HttpMethod.Get, path, null, cancellationToken)) as T
            ?? throw new ToxiproxyException(0, $"unexpected response to GET /{path}");

    private async Task<JsonObject> PostJsonAsync(string path, JsonNode body, CancellationToken cancellationToken) =>
        JsonNode.Parse(await SendAsync(HttpMethod.Post, path, body, cancellationToken)) as JsonObject
            ?? throw new ToxiproxyException(0, $"unexpected response to POST /{path}");

    private async Task<string> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(ApiAddress, path));
        request.Headers.UserAgent.ParseAdd("chaos-toxiproxy-client/1.0");
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return text;
        }

        throw Error(response.StatusCode, text);
    }

    private static ToxiproxyException Error(HttpStatusCode status, string body)
    {
        var message = body.Trim();
        try
        {
            if (JsonNode.Parse(message) is JsonObject json && json["error"] is JsonValue error)
            {
                message = error.GetValue<string>();
            }
        }
        catch (JsonException)
        {
            // Not Toxiproxy's JSON error body (e.g. a plain 404 from the router): keep the text.
        }

        return (int)status switch
        {
            400 => new ToxiproxyBadRequestException(message),
            404 => new ToxiproxyNotFoundException(message),
            409 => new ToxiproxyConflictException(message),
            var code => new ToxiproxyException(code, message),
        };
    }
}
