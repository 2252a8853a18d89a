using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chaos.Harness.Proxy;

/// <summary>
/// Our TCP fault proxy: named proxies with Toxiproxy's toxics, driven through an HTTP API compatible with
/// Toxiproxy 2.x (so <see cref="ToxiproxyClient"/> drives this or a real Toxiproxy alike). Disposing stops the API
/// and every proxy and closes every proxied connection.
/// </summary>
public sealed class FaultProxyServer : IAsyncDisposable
{
    /// <summary>What <c>GET /version</c> answers: the Toxiproxy API level we follow, marked as ours.</summary>
    public const string Version = "2.12.0-chaos";

    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private int _disposed;

    private FaultProxyServer(WebApplication app, ProxyRegistry registry, Uri apiAddress)
    {
        _app = app;
        Registry = registry;
        ApiAddress = apiAddress;
    }

    /// <summary>The API's base address, e.g. <c>http://127.0.0.1:8474/</c>.</summary>
    public Uri ApiAddress { get; }

    internal ProxyRegistry Registry { get; }

    /// <summary>Starts the API (and no proxies: create them through the API).</summary>
    public static async Task<FaultProxyServer> StartAsync(FaultProxyServerOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Chaos.FaultProxy");
        var registry = new ProxyRegistry(options, logger);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"], // no file watcher: nothing here reads configuration files
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();

        // The owner of the process decides about Ctrl-C and SIGTERM, not this embedded host.
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(options.ApiEndpoint));
        var app = builder.Build();
        FaultProxyApi.Map(app, registry, logger);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var apiAddress = new Uri(address.EndsWith('/') ? address : address + "/");
        Log.ApiStarted(logger, apiAddress);
        return new FaultProxyServer(app, registry, apiAddress);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        using (var stopping = new CancellationTokenSource(StopLimit))
        {
            await _app.StopAsync(stopping.Token);
        }

        await Registry.StopAllAsync(StopLimit);
        await _app.DisposeAsync();
    }
}
