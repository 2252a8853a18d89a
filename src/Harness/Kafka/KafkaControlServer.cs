using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chaos.Harness.Kafka;

/// <summary>
/// The fault control channel of <c>chaos kafka</c>: line-delimited JSON over TCP on 127.0.0.1 only.
/// Chosen over HTTP because a TCP listener on port 0 gets its port without a race, needs no web
/// framework in the harness library, and every request is one line (usable with <c>nc</c>).
/// </summary>
public sealed partial class KafkaControlServer : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly KafkaControlDispatcher dispatcher;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly TaskCompletionSource shutdownRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> connections = [];
    private readonly Lock gate = new();
    private Task? acceptLoop;

    /// <summary>Creates a server for <paramref name="faults"/> on 127.0.0.1:<paramref name="port"/> (0 picks a free port); call <see cref="Start"/>.</summary>
    public KafkaControlServer(IKafkaFaults faults, int port = 0, ILogger<KafkaControlServer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(faults);
        if (port is < 0 or > IPEndPoint.MaxPort)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "A TCP port is 0..65535 (0 picks a free one).");
        }

        listener = new TcpListener(IPAddress.Loopback, port);
        dispatcher = new KafkaControlDispatcher(faults, () => shutdownRequested.TrySetResult());
        this.logger = logger ?? NullLogger<KafkaControlServer>.Instance;
    }

    /// <summary>Where the server listens, once started.</summary>
    public IPEndPoint Endpoint => (IPEndPoint)listener.LocalEndpoint;

    /// <summary>Completes when a client sent <c>{"op":"shutdown"}</c>.</summary>
    public Task ShutdownRequested => shutdownRequested.Task;

    /// <summary>Binds and starts accepting connections.</summary>
    public void Start()
    {
        listener.Start();
        acceptLoop = AcceptAsync(stopping.Token);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        if (acceptLoop is not null)
        {
            await acceptLoop;
        }

        Task[] open;
        lock (gate)
        {
            open = [.. connections];
        }

        await Task.WhenAll(open);
        stopping.Dispose();
    }

    private async Task AcceptAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            // Bound to 127.0.0.1, so only this machine can connect; checked again because the
            // channel can take brokers down and must never be reachable from elsewhere.
            if (client.Client.RemoteEndPoint is not IPEndPoint remote || !IPAddress.IsLoopback(remote.Address))
            {
                LogRefused(logger, client.Client.RemoteEndPoint?.ToString());
                client.Dispose();
                continue;
            }

            var task = ServeAsync(client, ct);
            lock (gate)
            {
                connections.RemoveAll(t => t.IsCompleted);
                connections.Add(task);
            }
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken ct)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.UTF8, false, 4096, leaveOpen: true);
            await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 4096, leaveOpen: true) { AutoFlush = true, NewLine = "\n" };
            while (!ct.IsCancellationRequested)
            {
                var line = await reader.ReadLineAsync(ct);
                if (line is null)
                {
                    return;
                }

                if (line.Length > KafkaControlProtocol.MaxLineLength)
                {
                    await writer.WriteLineAsync("{\"ok\":false,\"error\":\"bad-request\",\"message\":\"Request line too long.\"}".AsMemory(), ct);
                    return;
                }

                if (line.Length == 0)
                {
                    continue;
                }

                var answer = await dispatcher.HandleAsync(line, ct);
                await writer.WriteLineAsync(answer.AsMemory(), ct);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException)
        {
            LogConnectionEnded(logger, e.Message);
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Refused a control connection from {Remote}: not loopback")]
    private static partial void LogRefused(ILogger logger, string? remote);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Debug, Message = "Control connection ended: {Reason}")]
    private static partial void LogConnectionEnded(ILogger logger, string reason);
}
