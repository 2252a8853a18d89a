using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Chaos.Harness.Topology;

namespace Chaos.Probe;

/// <summary>
/// A topology node: serves GET /healthz (200) on loopback, announces "listening: http://127.0.0.1:PORT" on stdout,
/// watches CHAOS_PARENT_PID. Options: --port N (0: any), --ready-delay-ms N, --never-ready, --exit-after-ms N
/// [--exit-code C], --exit-after-ready-ms N [--crash-once FILE], --spawn-grandchild, --no-parent-watch, --ignore-sigterm, --announce-host H,
/// --port-log FILE [--port-taken-starts N]: each start appends its --port to FILE, and the first N starts find that port
/// bound by another socket first (a real EADDRINUSE from the kernel: the race a probed port can lose).
/// </summary>
internal sealed class TopologyServeVerb : IProbeVerb
{
    public string Name => "topology-serve";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var options = new TopologyArgs(args);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var watch = options.Flag("no-parent-watch")
            ? null
            : ParentWatch.FromEnvironment(() =>
            {
                Console.Error.WriteLine("parent gone, exiting");
                ParentWatch.ExitWithProcessTree(3);
            });
        using var sigterm = options.Flag("ignore-sigterm")
            ? PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                Console.WriteLine("SIGTERM ignored");
            })
            : null;

        await Console.Out.WriteLineAsync($"starting pid {Environment.ProcessId}");
        await Console.Out.WriteLineAsync($"parent: {Environment.GetEnvironmentVariable(ParentWatch.EnvironmentVariable)}");
        await Console.Error.WriteLineAsync("stderr: hello");

        if (options.Flag("spawn-grandchild"))
        {
            var grandchild = Process.Start(new ProcessStartInfo(Environment.ProcessPath!)
            {
                ArgumentList = { typeof(TopologyServeVerb).Assembly.Location, "topology-serve", "--never-ready", "--no-parent-watch" },
                UseShellExecute = false,
                RedirectStandardOutput = true,
            })!;
            await Console.Out.WriteLineAsync($"grandchild: {grandchild.Id}");
        }

        // --fail-start-when FILE: a start that finds FILE fails as --exit-after-ms 0 does (a restart that cannot come back)
        var exitAfter = options.Value("fail-start-when") is { } failWhen && File.Exists(failWhen) ? 0 : options.Int("exit-after-ms", -1);
        if (exitAfter >= 0)
        {
            await Task.Delay(exitAfter, stop.Token);
            await Console.Error.WriteLineAsync("fatal: simulated startup failure");
            return options.Int("exit-code", 42);
        }

        if (options.Flag("never-ready"))
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
            return 0;
        }

        await Task.Delay(options.Int("ready-delay-ms", 0), stop.Token);
        using var squatter = await SquatAsync(options, stop.Token);
        using var listener = new TcpListener(IPAddress.Loopback, options.Int("port", 0));
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        try
        {
            listener.Start();
        }
        catch (SocketException ex)
        {
            await Console.Error.WriteLineAsync($"fatal: cannot listen on port {options.Int("port", 0).ToString(CultureInfo.InvariantCulture)}: {ex.Message}");
            return 1;
        }

        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var host = options.Value("announce-host") ?? "127.0.0.1";
        await Console.Out.WriteLineAsync($"listening: http://{host}:{port.ToString(CultureInfo.InvariantCulture)}");
        await Console.Out.FlushAsync(stop.Token);

        // --exit-after-ready-ms N: crash (exit 7) N ms after it first answered /healthz with 200 — after the harness saw it
        // ready, however late its probe came on a busy machine; with --crash-once FILE only while FILE does not exist.
        var crashAfter = options.Int("exit-after-ready-ms", -1);
        if (crashAfter >= 0 && options.Value("crash-once") is { } marker)
        {
            crashAfter = File.Exists(marker) ? -1 : crashAfter;
            await File.WriteAllTextAsync(marker, "crashed once", cancellationToken);
        }

        var answeredHealthy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (crashAfter >= 0)
        {
            _ = answeredHealthy.Task.ContinueWith(_ => stop.CancelAfter(crashAfter), TaskScheduler.Default);
        }

        try
        {
            while (!stop.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(stop.Token);
                _ = ServeAsync(client, answeredHealthy, stop.Token);
            }
        }
        catch (OperationCanceledException) when (crashAfter >= 0 && !cancellationToken.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("crash: exiting after being ready");
            return 7;
        }

        return 0;
    }

    private static async Task ServeAsync(TcpClient client, TaskCompletionSource answeredHealthy, CancellationToken cancellationToken)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[4096];
                var read = await stream.ReadAsync(buffer, cancellationToken);
                var request = Encoding.ASCII.GetString(buffer, 0, read);
                var ok = request.StartsWith("GET /healthz ", StringComparison.Ordinal);
                var response = ok
                    ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                    : "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(response), cancellationToken);
                if (ok)
                {
                    answeredHealthy.TrySetResult();
                }
            }
            catch (IOException)
            {
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>With --port-log FILE: records this start's port, and while the starts so far are no more than
    /// --port-taken-starts, binds that port with another listener first (returned, so it is held until the verb ends).</summary>
    private static async Task<TcpListener?> SquatAsync(TopologyArgs options, CancellationToken cancellationToken)
    {
        if (options.Value("port-log") is not { } file)
        {
            return null;
        }

        var port = options.Int("port", 0);
        await File.AppendAllTextAsync(file, port.ToString(CultureInfo.InvariantCulture) + "\n", cancellationToken);
        if ((await File.ReadAllLinesAsync(file, cancellationToken)).Length > options.Int("port-taken-starts", 0))
        {
            return null;
        }

        var squatter = new TcpListener(IPAddress.Loopback, port);
        squatter.Start();
        return squatter;
    }
}
