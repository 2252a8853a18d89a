using System.CommandLine;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Chaos.Harness.Proxy;
using Chaos.Harness.Topology;

namespace Chaos.Scenarios.Commands;

/// <summary>
/// <c>chaos proxy</c>: runs the TCP fault proxy standalone, like <c>toxiproxy-server</c>, until Ctrl-C or SIGTERM.
/// Drive it with any Toxiproxy 2.x client or the harness's <see cref="ToxiproxyClient"/>.
/// </summary>
internal static class ProxyCommand
{
    public static Command Create()
    {
        var api = new Option<string>("--api")
        {
            Description = "Loopback address for the HTTP API (port 0 picks a free one).",
            DefaultValueFactory = _ => "127.0.0.1:8474",
        };
        var config = new Option<FileInfo?>("--config") { Description = "JSON array of proxies to create at start (Toxiproxy's -config)." };
        var seed = new Option<int>("--seed") { Description = "Seed for toxicity, jitter and slice sizes.", DefaultValueFactory = _ => 0 };
        var remoteListen = new Option<bool>("--allow-remote-listen") { Description = "Allow proxies to listen on non-loopback addresses." };
        var remoteUpstream = new Option<bool>("--allow-remote-upstream") { Description = "Allow proxies with non-loopback upstreams." };

        var command = new Command("proxy", "Run the TCP fault proxy (Toxiproxy-compatible HTTP API) until Ctrl-C.")
        {
            api, config, seed, remoteListen, remoteUpstream,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            parse.GetValue(api)!,
            parse.GetValue(config),
            new FaultProxyServerOptions
            {
                Seed = parse.GetValue(seed),
                AllowNonLoopbackListen = parse.GetValue(remoteListen),
                AllowNonLoopbackUpstream = parse.GetValue(remoteUpstream),
            },
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string api, FileInfo? config, FaultProxyServerOptions options, CancellationToken cancellationToken)
    {
        if (!IPEndPoint.TryParse(api, out var endpoint) || !IPAddress.IsLoopback(endpoint.Address))
        {
            await Console.Error.WriteLineAsync($"chaos proxy: --api must be a loopback host:port, not '{api}'");
            return ExitCodes.RunFailed;
        }

        FaultProxyServer server;
        try
        {
            server = await FaultProxyServer.StartAsync(new FaultProxyServerOptions
            {
                ApiEndpoint = endpoint,
                Seed = options.Seed,
                AllowNonLoopbackListen = options.AllowNonLoopbackListen,
                AllowNonLoopbackUpstream = options.AllowNonLoopbackUpstream,
            }, cancellationToken);
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"chaos proxy: cannot listen on {endpoint}: {e.Message}");
            return ExitCodes.RunFailed;
        }

        await using (server)
        {
            if (config is not null && !await PopulateAsync(server.ApiAddress, config, cancellationToken))
            {
                return ExitCodes.RunFailed;
            }

            await Console.Out.WriteLineAsync($"api: {server.ApiAddress.AbsoluteUri.TrimEnd('/')}");
            await Console.Out.FlushAsync(cancellationToken);
            // no proxy outlives its harness: the same rules as every child of it (a zombie or a reused pid is gone)
            using var parentGone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var parentWatch = ParentWatch.FromEnvironment(() =>
            {
                try
                {
                    parentGone.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // the proxy was already stopping
                }
            });

            // Like toxiproxy-server: Ctrl-C and SIGTERM stop the proxies cleanly and exit 0.
            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                parentGone.Cancel();
            }

            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            try
            {
                await Task.Delay(Timeout.Infinite, parentGone.Token);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C, SIGTERM or the parent died: stop every proxy and close every connection.
            }
        }

        // After disposal: every proxy stopped and every connection closed.
        await Console.Out.WriteLineAsync("stopped");
        return ExitCodes.Valid;
    }

    private static async Task<bool> PopulateAsync(Uri apiAddress, FileInfo config, CancellationToken cancellationToken)
    {
        try
        {
            var json = JsonNode.Parse(await File.ReadAllTextAsync(config.FullName, cancellationToken)) as JsonArray
                ?? throw new FormatException("expected a JSON array of proxies");
            var proxies = json.Select(p => new ProxyInfo(
                p?["name"]?.GetValue<string>() ?? string.Empty,
                p?["listen"]?.GetValue<string>() ?? string.Empty,
                p?["upstream"]?.GetValue<string>() ?? string.Empty,
                p?["enabled"]?.GetValue<bool>() ?? true,
                [])).ToList();
            using var client = new ToxiproxyClient(apiAddress);
            await client.PopulateAsync(proxies, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is IOException or FormatException or System.Text.Json.JsonException or InvalidOperationException or ToxiproxyException)
        {
            await Console.Error.WriteLineAsync($"chaos proxy: --config {config.FullName}: {e.Message}");
            return false;
        }
    }
}
