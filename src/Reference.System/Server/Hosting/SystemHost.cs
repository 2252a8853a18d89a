using System.Net;
using Chaos.Reference.Api;
using Chaos.Reference.Faults;
using Chaos.Reference.Gateway;
using Chaos.Reference.Jobs;
using Chaos.Reference.Notifier;
using Chaos.Reference.Observability;
using Chaos.Reference.Storage;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.SignalR;

namespace Chaos.Reference.Hosting;

/// <summary>Builds the web host for one role: shared endpoints (health, metrics, admin) plus the role's own.</summary>
internal static class SystemHost
{
    public static async Task<int> RunAsync(SystemOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls(options.Urls);
        // Kestrel's own cap is far above ours so an oversize body is drained and answered with our 413, not a reset.
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 16 * RequestReader.MaxBodyBytes);
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.UseUtcTimestamp = true;
        });
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);

        Database database;
        try
        {
            database = Database.Create(options.Db);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 2;
        }

        var failpoints = new Failpoints(options.Seed);
        foreach (var spec in options.Failpoints)
        {
            FailpointSpec.TryParse(spec, out var parsed, out _);
            failpoints.Arm(parsed);
        }

        var s = builder.Services;
        s.AddSingleton(options);
        s.AddSingleton(TimeProvider.System);
        s.AddSingleton(database);
        s.AddSingleton<Store>();
        s.AddSingleton(failpoints);
        s.AddSingleton<SystemMetrics>();
        s.AddSingleton<MetricsSnapshot>();
        s.AddSingleton<ReadinessState>();
        s.AddSingleton<KafkaClients>();
        s.AddSingleton<TokenService>();
        s.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);

        switch (options.Role)
        {
            case "api":
                s.AddSingleton<OutboxSignal>();
                s.AddSingleton<MessageWriter>();
                s.AddHostedService<OutboxRelay>();
                break;
            case "notifier":
                s.AddHostedService<NotifierWorker>();
                break;
            case "gateway":
                var tokens = new TokenService(options, TimeProvider.System);
                s.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
                {
                    o.MapInboundClaims = false;
                    o.TokenValidationParameters = tokens.ValidationParameters();
                    o.Events = new JwtBearerEvents
                    {
                        // Browsers cannot set headers on a WebSocket: the token may come as ?access_token=.
                        OnMessageReceived = ctx =>
                        {
                            var q = ctx.Request.Query["access_token"].ToString();
                            if (q.Length > 0 && ctx.HttpContext.Request.Path.StartsWithSegments("/hub", StringComparison.Ordinal))
                            {
                                ctx.Token = q;
                            }

                            return Task.CompletedTask;
                        },
                    };
                });
                s.AddAuthorization();
                s.AddSignalR(o =>
                {
                    o.ClientTimeoutInterval = TimeSpan.FromMilliseconds(options.ClientTimeoutMs);
                    o.KeepAliveInterval = TimeSpan.FromMilliseconds(Math.Max(250, options.ClientTimeoutMs / 3));
                    o.MaximumReceiveMessageSize = 64 * 1024;
                });
                s.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();
                s.AddSingleton<ConnectionRegistry>();
                s.AddHostedService<DeliveryBackplane>();
                break;
            case "jobs":
                if (options.Downstream is { } provider)
                {
                    s.AddSingleton<IDownstream>(_ => new HttpDownstream(provider, TimeProvider.System));
                }
                else
                {
                    s.AddSingleton(new Downstream(options.DownstreamFailureRate, options.DownstreamLatencyMs, options.Seed, TimeProvider.System));
                    s.AddSingleton<IDownstream>(sp => sp.GetRequiredService<Downstream>());
                }

                s.AddHostedService<JobsWorker>();
                break;
        }

        var app = builder.Build();
        var store = app.Services.GetRequiredService<Store>();
        using (var startup = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await store.EnsureSchemaAsync(startup.Token);
        }

        _ = app.Services.GetRequiredService<MetricsSnapshot>();
        if (options.Role == "api")
        {
            app.Services.GetRequiredService<ReadinessState>().MarkReady();
        }

        MapCommon(app, options);
        switch (options.Role)
        {
            case "api":
                ApiEndpoints.Map(app);
                break;
            case "gateway":
                app.UseWebSockets();
                app.UseAuthentication();
                app.UseAuthorization();
                app.MapHub<ChatHub>("/hub");
                app.MapGet("/presence", (ConnectionRegistry registry) => Results.Json(registry.Presence()));
                break;
            case "jobs":
                app.MapPost("/admin/downstream", (HttpContext http, IDownstream downstream, DownstreamSettings body) =>
                    LoopbackOnly(http, () =>
                    {
                        if (downstream is not Downstream simulated)
                        {
                            return Results.Json(new { error = $"the downstream is an outside provider ({options.Downstream}); set its conditions there" }, statusCode: 409);
                        }

                        simulated.Configure(body.FailureRate, body.LatencyMs);
                        return Results.Json(new { failureRate = simulated.FailureRate, latencyMs = simulated.LatencyMs });
                    }));
                break;
        }

        await app.StartAsync();
        var url = app.Urls.FirstOrDefault() ?? options.Urls;
        await Console.Out.WriteLineAsync($"listening: {url}");
        await Console.Out.FlushAsync();
        await app.WaitForShutdownAsync();
        await database.DisposeAsync();
        return 0;
    }

    private static void MapCommon(WebApplication app, SystemOptions options)
    {
        app.MapGet("/healthz", () => Results.Json(new { status = "ok", role = options.Role, instance = options.Instance }));
        app.MapGet("/readyz", async (ReadinessState ready, Store store, CancellationToken ct) =>
        {
            try
            {
                await store.PingAsync(ct);
            }
            catch (Exception e)
            {
                return Results.Json(new { ready = false, reason = "storage: " + e.Message }, statusCode: 503);
            }

            return ready.IsReady ? Results.Json(new { ready = true }) : Results.Json(new { ready = false, reason = "role not started" }, statusCode: 503);
        });
        app.MapGet("/metrics", (HttpContext http, MetricsSnapshot snapshot) => LoopbackOnly(http, () => Results.Json(new
        {
            role = options.Role,
            instance = options.Instance,
            metrics = snapshot.Read(),
        })));
        app.MapGet("/admin/failpoints", (HttpContext http, Failpoints fp) => LoopbackOnly(http, () => Results.Json(fp.Describe())));
        app.MapPost("/admin/failpoints", (HttpContext http, Failpoints fp, FailpointRequest body) => LoopbackOnly(http, () =>
        {
            if (!FailpointSpec.TryParse(body.Spec ?? "", out var spec, out var error))
            {
                return Results.Json(new { error }, statusCode: 400);
            }

            fp.Arm(spec);
            return Results.Json(fp.Describe());
        }));
        app.MapDelete("/admin/failpoints/{name}", (HttpContext http, string name, Failpoints fp) =>
            LoopbackOnly(http, () => fp.Disarm(name) ? Results.NoContent() : Results.NotFound()));
    }

    /// <summary>Admin and metrics endpoints answer only loopback callers: a fault proxy in front never exposes them.</summary>
    private static IResult LoopbackOnly(HttpContext http, Func<IResult> handler) =>
        http.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip)
            ? handler()
            : Results.Json(new { error = "admin endpoints are loopback-only" }, statusCode: 403);
}
