using System.Net;
using Chaos.Reference.Api;
using Chaos.Reference.Faults;
using Chaos.Reference.Gateway;
using Chaos.Reference.Jobs;
using Chaos.Reference.Notifier;
using Chaos.Reference.Observability;
using Chaos.Reference.Security;
using Chaos.Reference.Storage;
using Microsoft.AspNetCore.SignalR;

namespace Chaos.Reference.Hosting;

/// <summary>Builds the web host for one role: shared endpoints (health, metrics, admin) plus the role's own; docs/security.md says who may call each.</summary>
internal static class SystemHost
{
    public static async Task<int> RunAsync(SystemOptions options)
    {
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

        if (Telemetry.OtlpEndpointProblem(Environment.GetEnvironmentVariable) is { } problem)
        {
            await Console.Error.WriteLineAsync($"error: {problem}");
            return 2;
        }

        var app = Build(options, database);
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

        await app.StartAsync();
        var url = app.Urls.FirstOrDefault() ?? options.Urls;
        await Console.Out.WriteLineAsync($"listening: {url}");
        await Console.Out.FlushAsync();
        await app.WaitForShutdownAsync();
        await database.DisposeAsync();
        return Environment.ExitCode; // 0, or 1 when a worker loop failed for good and stopped the process
    }

    /// <summary>
    /// The role's web application with every service registered and every endpoint mapped, not started: what
    /// <see cref="RunAsync"/> runs, and where the security tests read the route table from.
    /// </summary>
    internal static WebApplication Build(SystemOptions options, Database database)
    {
        // The content root is the executable's own directory, not the working directory (a run's folder, where the
        // history grows by thousands of lines a second), and configuration files are not watched: a watcher on the
        // run folder woke every node on every history write (docs/load.md, "Where the CPU went").
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
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
        s.AddTelemetry(options);
        s.AddSingleton<ReadinessState>();
        s.AddSingleton<KafkaClients>();
        s.AddAccessControl(options);
        if (options.FailurePaths is not null)
        {
            s.AddHostedService<FailurePathFile>();
        }

        s.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);

        switch (options.Role)
        {
            case "api":
                s.AddSingleton<TokenService>();
                s.AddSingleton<OutboxSignal>();
                s.AddSingleton<WriteQueue>();
                s.AddHostedService(sp => sp.GetRequiredService<WriteQueue>());
                s.AddSingleton(sp => new FanoutLimiter(options.FanoutRateLimit, sp.GetRequiredService<TimeProvider>()));
                s.AddSingleton<MessageWriter>();
                s.AddHostedService<OutboxRelay>();
                break;
            case "notifier":
                s.AddHostedService<NotifierWorker>();
                break;
            case "gateway":
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
        ErrorResponses.Use(app);
        if (options.Role == "gateway")
        {
            app.UseWebSockets();
        }

        app.UseAuthentication();
        app.UseAuthorization();
        MapCommon(app, options);
        switch (options.Role)
        {
            case "api":
                ApiEndpoints.Map(app);
                break;
            case "gateway":
                app.Use(ChatHub.RefuseBadDeviceAsync);
                app.MapHub<ChatHub>("/hub");
                app.MapGet("/presence", (ConnectionRegistry registry) => Results.Json(registry.Presence())).RequireAuthorization(AccessPolicies.Admin);
                break;
            case "jobs":
                app.MapPost("/admin/downstream", (HttpContext http, IDownstream downstream, CancellationToken ct) => ApiEndpoints.Guard(async () =>
                {
                    var (root, _) = await RequestReader.ReadAsync(http.Request, ct);
                    var failureRate = RequestReader.OptionalNumber(root, "failureRate", 0, 1);
                    var latencyMs = (int?)RequestReader.OptionalInteger(root, "latencyMs", 0, 600_000);
                    return LoopbackOnly(http, () =>
                    {
                        if (downstream is not Downstream simulated)
                        {
                            return Results.Json(new { error = $"the downstream is an outside provider ({options.Downstream}); set its conditions there" }, statusCode: 409);
                        }

                        simulated.Configure(failureRate, latencyMs);
                        return Results.Json(new { failureRate = simulated.FailureRate, latencyMs = simulated.LatencyMs });
                    });
                })).RequireAuthorization(AccessPolicies.Admin);
                break;
        }

        return app;
    }

    private static void MapCommon(WebApplication app, SystemOptions options)
    {
        // Probes, as a load balancer or an orchestrator calls them: open, and saying nothing but up / ready.
        app.MapGet("/healthz", () => Results.Json(new { status = "ok", role = options.Role, instance = options.Instance })).AllowAnonymous();
        app.MapGet("/readyz", async (ReadinessState ready, Store store, CancellationToken ct) =>
        {
            try
            {
                await store.PingAsync(ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // the probe is open: it names the kind of failure, not the database's address or path
                return Results.Json(new { ready = false, reason = "storage unreachable: " + e.GetType().Name }, statusCode: 503);
            }

            return ready.IsReady ? Results.Json(new { ready = true }) : Results.Json(new { ready = false, reason = "role not started" }, statusCode: 503);
        }).AllowAnonymous();
        app.MapTelemetry();
        app.MapGet("/metrics", (HttpContext http, MetricsSnapshot snapshot) => LoopbackOnly(http, () => Results.Json(new
        {
            role = options.Role,
            instance = options.Instance,
            metrics = snapshot.Read(),
        }))).RequireAuthorization(AccessPolicies.Admin);
        app.MapGet("/admin/failpoints", (HttpContext http, Failpoints fp) => LoopbackOnly(http, () => Results.Json(fp.Describe()))).RequireAuthorization(AccessPolicies.Admin);
        app.MapPost("/admin/failpoints", async (HttpContext http, Failpoints fp, CancellationToken ct) => await ApiEndpoints.Guard(async () =>
        {
            var (root, _) = await RequestReader.ReadAsync(http.Request, ct);
            return LoopbackOnly(http, () =>
            {
                if (!FailpointSpec.TryParse(RequestReader.RequiredString(root, "spec"), out var spec, out var error))
                {
                    return Results.Json(new { error }, statusCode: 400);
                }

                fp.Arm(spec);
                return Results.Json(fp.Describe());
            });
        })).RequireAuthorization(AccessPolicies.Admin);
        app.MapDelete("/admin/failpoints/{name}", (HttpContext http, string name, Failpoints fp) =>
            LoopbackOnly(http, () => fp.Disarm(name) ? Results.NoContent() : Results.Json(new { error = "no such failpoint armed" }, statusCode: 404)))
            .RequireAuthorization(AccessPolicies.Admin);
    }

    /// <summary>What a non-loopback caller of an admin endpoint is told (with a 403).</summary>
    internal const string LoopbackOnlyError = "admin endpoints are loopback-only";

    /// <summary>Admin and metrics endpoints answer only loopback callers: a fault proxy in front never exposes them.</summary>
    internal static bool FromLoopback(HttpContext http) => http.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip);

    private static IResult LoopbackOnly(HttpContext http, Func<IResult> handler) =>
        FromLoopback(http) ? handler() : Results.Json(new { error = LoopbackOnlyError }, statusCode: 403);
}
