using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Chaos.Harness.Proxy;

/// <summary>
/// The HTTP API: Toxiproxy 2.x's routes, bodies, status codes and error texts, plus our per-connection routes
/// under <c>/proxies/{proxy}/connections</c>.
/// </summary>
internal static class FaultProxyApi
{
    private static readonly string[] UpdateMethods = ["POST", "PATCH"];

    public static void Map(WebApplication app, ProxyRegistry registry, ILogger logger)
    {
        // Toxiproxy refuses browsers, so a web page cannot drive a local proxy behind the user's back.
        app.Use(async (http, next) =>
        {
            if (http.Request.Headers.UserAgent.ToString().StartsWith("Mozilla/", StringComparison.Ordinal))
            {
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                http.Response.ContentType = "text/plain; charset=utf-8";
                await http.Response.WriteAsync("User agent not allowed\n", http.RequestAborted);
                return;
            }

            await next(http);
        });

        app.MapGet("/version", async http =>
        {
            http.Response.ContentType = "application/json;charset=utf-8";
            await http.Response.WriteAsync($"{{\"version\": \"{FaultProxyServer.Version}\"}}\n", http.RequestAborted);
        });

        app.MapPost("/reset", http => Handle(http, _ =>
        {
            registry.Reset();
            return Reply.NoContent;
        }));

        app.MapGet("/proxies", http => Handle(http, _ => Reply.Json(200, w =>
        {
            w.WriteStartObject();
            foreach (var proxy in registry.All)
            {
                w.WritePropertyName(proxy.Name);
                ProxyJson.WriteProxy(w, proxy);
            }

            w.WriteEndObject();
        })));

        app.MapPost("/proxies", http => Handle(http, body =>
        {
            var input = body.Object;
            var name = RequestBody.String(input, "name");
            var listen = RequestBody.String(input, "listen") ?? string.Empty;
            var upstream = RequestBody.String(input, "upstream");
            var enabled = RequestBody.Bool(input, "enabled") ?? true;
            if (string.IsNullOrEmpty(name))
            {
                throw ProxyApiException.MissingField("name");
            }

            if (string.IsNullOrEmpty(upstream))
            {
                throw ProxyApiException.MissingField("upstream");
            }

            var proxy = registry.Create(name, listen, upstream, enabled);
            return Reply.Json(201, w => ProxyJson.WriteProxy(w, proxy));
        }));

        app.MapPost("/populate", http => Handle(http, body =>
        {
            var specs = new List<(string, string, string, bool)>();
            var index = 0;
            foreach (var item in body.Array)
            {
                index++;
                var input = item as System.Text.Json.Nodes.JsonObject
                    ?? throw ProxyApiException.BadRequestBody($"proxy {index} is not an object");
                var name = RequestBody.String(input, "name");
                var upstream = RequestBody.String(input, "upstream");
                if (string.IsNullOrEmpty(name))
                {
                    throw ProxyApiException.MissingField($"name at proxy {index}");
                }

                if (string.IsNullOrEmpty(upstream))
                {
                    throw ProxyApiException.MissingField($"upstream at proxy {index}");
                }

                specs.Add((name, RequestBody.String(input, "listen") ?? string.Empty, upstream, RequestBody.Bool(input, "enabled") ?? true));
            }

            var (proxies, error) = registry.Populate(specs);
            return Reply.Json(error?.Status ?? 201, w =>
            {
                w.WriteStartObject();
                if (error is not null)
                {
                    ProxyJson.WriteError(w, error);
                }

                w.WriteStartArray("proxies");
                foreach (var proxy in proxies)
                {
                    ProxyJson.WriteProxy(w, proxy);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            });
        }));

        app.MapGet("/proxies/{proxy}", http => Handle(http, _ =>
        {
            var proxy = registry.Get(Route(http, "proxy"));
            return Reply.Json(200, w => ProxyJson.WriteProxy(w, proxy));
        }));

        app.MapMethods("/proxies/{proxy}", UpdateMethods, http => Handle(http, body =>
        {
            var proxy = registry.Get(Route(http, "proxy"));
            var input = body.Object;
            proxy.Update(
                RequestBody.String(input, "listen") ?? proxy.Listen,
                RequestBody.String(input, "upstream") ?? proxy.Upstream,
                RequestBody.Bool(input, "enabled") ?? proxy.Enabled);
            return Reply.Json(200, w => ProxyJson.WriteProxy(w, proxy));
        }));

        app.MapDelete("/proxies/{proxy}", http => Handle(http, _ =>
        {
            registry.Remove(Route(http, "proxy"));
            return Reply.NoContent;
        }));

        app.MapGet("/proxies/{proxy}/toxics", http => Handle(http, _ =>
        {
            var proxy = registry.Get(Route(http, "proxy"));
            return Reply.Json(200, w => ProxyJson.WriteToxics(w, proxy.Toxics));
        }));

        app.MapPost("/proxies/{proxy}/toxics", http => Handle(http, body =>
        {
            var proxy = registry.Get(Route(http, "proxy"));
            var toxic = proxy.AddToxic(ProxyJson.ParseNewToxic(body.Object, name => proxy.FindToxic(name) is not null));

            // Toxiproxy answers a created toxic with 200, not 201.
            return Reply.Json(200, w => ProxyJson.WriteToxic(w, toxic));
        }));

        app.MapGet("/proxies/{proxy}/toxics/{toxic}", http => Handle(http, _ =>
        {
            var proxy = registry.Get(Route(http, "proxy"));
            var toxic = proxy.FindToxic(Route(http, "toxic")) ?? throw ProxyApiException.ToxicNotFound();
            return Reply.Json(200, w => ProxyJson.WriteToxic(w, toxic));
        }));

        app.MapMethods("/proxies/{proxy}/toxics/{toxic}", UpdateMethods, http => Handle(http, body =>
        {
            var proxy = registry.Get(Route(http, "proxy"));
            var toxic = proxy.UpdateToxic(Route(http, "toxic"), old => ProxyJson.ParseToxicUpdate(body.Object, old));
            return Reply.Json(200, w => ProxyJson.WriteToxic(w, toxic));
        }));

        app.MapDelete("/proxies/{proxy}/toxics/{toxic}", http => Handle(http, _ =>
        {
            registry.Get(Route(http, "proxy")).RemoveToxic(Route(http, "toxic"));
            return Reply.NoContent;
        }));

        MapConnectionRoutes(app, registry, logger);
    }

    /// <summary>Our extension: connections of a proxy, toxics on one connection, and cutting one.</summary>
    private static void MapConnectionRoutes(WebApplication app, ProxyRegistry registry, ILogger logger)
    {
        app.MapGet("/proxies/{proxy}/connections", http => Handle(http, _ =>
        {
            var proxy = registry.Get(Route(http, "proxy"));
            return Reply.Json(200, w =>
            {
                w.WriteStartArray();
                foreach (var connection in proxy.Connections)
                {
                    ProxyJson.WriteConnection(w, connection);
                }

                w.WriteEndArray();
            });
        }));

        app.MapGet("/proxies/{proxy}/connections/{id}", http => Handle(http, _ =>
        {
            var connection = registry.Get(Route(http, "proxy")).GetConnection(Route(http, "id"));
            return Reply.Json(200, w => ProxyJson.WriteConnection(w, connection));
        }));

        app.MapPost("/proxies/{proxy}/connections/{id}/toxics", http => Handle(http, body =>
        {
            var connection = registry.Get(Route(http, "proxy")).GetConnection(Route(http, "id"));
            var toxic = connection.AddToxic(ProxyJson.ParseNewToxic(
                body.Object, name => connection.Toxics.Any(t => string.Equals(t.Name, name, StringComparison.Ordinal))));
            return Reply.Json(200, w => ProxyJson.WriteToxic(w, toxic));
        }));

        app.MapDelete("/proxies/{proxy}/connections/{id}/toxics/{toxic}", http => Handle(http, _ =>
        {
            registry.Get(Route(http, "proxy")).GetConnection(Route(http, "id")).RemoveToxic(Route(http, "toxic"));
            return Reply.NoContent;
        }));

        app.MapPost("/proxies/{proxy}/connections/{id}/cut", http => HandleAsync(http, async body =>
        {
            var proxy = registry.Get(Route(http, "proxy"));
            var connection = proxy.GetConnection(Route(http, "id"));
            var input = body.Object;
            var mode = RequestBody.String(input, "mode") ?? "reset";
            var reset = mode switch
            {
                "reset" => true,
                "close" => false,
                _ => throw new ProxyApiException(400, "mode was invalid, can be either reset or close"),
            };
            if (!ProxyJson.TryParseStream(RequestBody.String(input, "stream") ?? "downstream", out var stream))
            {
                throw ProxyApiException.InvalidStream();
            }

            var afterBytes = RequestBody.Long(input, "after_bytes") ?? 0;
            if (afterBytes > 0 && !reset)
            {
                throw new ProxyApiException(400, "after_bytes needs mode reset");
            }

            var now = await connection.CutAsync(reset, stream, afterBytes);
            Log.ConnectionCut(logger, proxy.Name, connection.Id, now ? mode : $"{mode} after {afterBytes} bytes {ProxyJson.StreamName(stream)}");
            return now ? Reply.NoContent : new Reply(202, null);
        }));
    }

    private static string Route(HttpContext http, string key) => http.Request.RouteValues[key] as string ?? string.Empty;

    private static Task Handle(HttpContext http, Func<RequestBody, Reply> action) =>
        HandleAsync(http, body => Task.FromResult(action(body)));

    private static async Task HandleAsync(HttpContext http, Func<RequestBody, Task<Reply>> action)
    {
        Reply reply;
        try
        {
            var body = await RequestBody.ReadAsync(http.Request.Body, http.RequestAborted);
            reply = await action(body);
        }
        catch (ProxyApiException e)
        {
            reply = Reply.Error(e);
        }

        http.Response.StatusCode = reply.Status;
        if (reply.Body is { } bytes)
        {
            http.Response.ContentType = "application/json";
            await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
        }
    }

    private sealed record Reply(int Status, byte[]? Body)
    {
        public static Reply NoContent { get; } = new(204, null);

        public static Reply Json(int status, Action<Utf8JsonWriter> write) => new(status, ProxyJson.Write(write));

        /// <summary>Toxiproxy's error body: <c>{"error": "...", "status": N}</c> and a newline.</summary>
        public static Reply Error(ProxyApiException error) => new(
            error.Status,
            [.. ProxyJson.Write(w =>
            {
                w.WriteStartObject();
                ProxyJson.WriteError(w, error);
                w.WriteEndObject();
            }), .. "\n"u8]);
    }
}
