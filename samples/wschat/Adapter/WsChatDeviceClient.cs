using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using Chaos.Harness.Devices;

namespace WsChat.Adapter;

/// <summary>
/// A wschat device: a plain WebSocket to <c>/ws?device=NAME&amp;after=SEQ</c> with the user's token, reading one JSON
/// frame per inbox entry. It hands the app each next sequence, drops what it already has, and on a gap (a sequence
/// past the next) or any drop reconnects and resumes after the last sequence it handed over — the server replays the
/// inbox from there. Sleep closes the socket and holds reconnects until wake, as a mobile OS does to a suspended app.
/// </summary>
public sealed class WsChatDeviceClient : IDeviceClient
{
    private readonly DeviceClientSettings _settings;
    private readonly Random _random;
    private readonly CancellationTokenSource _disposed = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource _awake = CompletedGate();
    private ClientWebSocket? _socket;
    private Task? _loop;
    private long _last;
    private int _reconnects;

    public WsChatDeviceClient(DeviceClientSettings settings)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _random = new Random(settings.Seed);
    }

    public event Action<DeviceDelivery>? Delivered;

    public event Action<DeviceFrame>? FrameReceived;

    public event Action<DeviceConnectionState, Exception?>? StateChanged;

    public long LastSequence => Interlocked.Read(ref _last);

    public DeviceConnectionState State { get; private set; } = DeviceConnectionState.Disconnected;

    public int Reconnects => Volatile.Read(ref _reconnects);

    public EndPoint? LocalEndPoint { get; private set; }

    public bool IsAsleep { get; private set; }

    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        if (_settings.Positions is { } positions)
        {
            _last = await positions.LoadAsync(_settings.User, _settings.Device, cancellationToken);
        }

        SetState(DeviceConnectionState.Connecting, null);
        var socket = await OpenAsync(cancellationToken); // the first connect's refusal is the caller's
        _loop = Task.Run(() => RunAsync(socket, _disposed.Token), CancellationToken.None);
    }

    public void Cut() => Volatile.Read(ref _socket)?.Abort();

    public void Sleep()
    {
        lock (_gate)
        {
            if (IsAsleep)
            {
                return;
            }

            IsAsleep = true;
            _awake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        Cut();
    }

    public void Wake()
    {
        lock (_gate)
        {
            IsAsleep = false;
            _awake.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _disposed.CancelAsync();
        Cut();
        Wake();
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _disposed.Dispose();
    }

    private static TaskCompletionSource CompletedGate()
    {
        var done = new TaskCompletionSource();
        done.SetResult();
        return done;
    }

    /// <summary>Reads until the socket drops, then reconnects (after a growing, jittered pause) and resumes; until disposed.</summary>
    private async Task RunAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var delay = _settings.ReconnectMinDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            Exception? why = null;
            try
            {
                await ReadAsync(socket, cancellationToken);
            }
            catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or JsonException)
            {
                why = e;
            }
            finally
            {
                socket.Dispose();
            }

            if (cancellationToken.IsCancellationRequested)
            {
                break;
            }

            SetState(DeviceConnectionState.Reconnecting, why);
            while (true)
            {
                Task awake;
                lock (_gate)
                {
                    awake = _awake.Task;
                }

                try
                {
                    await awake.WaitAsync(cancellationToken);
                    // jittered within [delay/2, 3·delay/2], and never past the longest pause the settings allow (the
                    // harness's reconnect check holds a client to it: the first version here overshot it by half)
                    var pause = TimeSpan.FromTicks(Math.Min((long)(delay.Ticks * (0.5 + _random.NextDouble())), _settings.ReconnectMaxDelay.Ticks));
                    await Task.Delay(pause, cancellationToken);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _settings.ReconnectMaxDelay.Ticks));
                    if (IsAsleep)
                    {
                        continue;
                    }

                    socket = await OpenAsync(cancellationToken);
                    Interlocked.Increment(ref _reconnects);
                    delay = _settings.ReconnectMinDelay;
                    break;
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    SetState(DeviceConnectionState.Disconnected, null);
                    return;
                }
                catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException or SocketException or OperationCanceledException)
                {
                    // refused or timed out: try again after a longer pause
                }
            }
        }

        SetState(DeviceConnectionState.Disconnected, null);
    }

    private async Task<ClientWebSocket> OpenAsync(CancellationToken cancellationToken)
    {
        var token = await _settings.TokenProvider(cancellationToken);
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        socket.Options.KeepAliveInterval = _settings.KeepAliveInterval;
        socket.Options.KeepAliveTimeout = _settings.ServerTimeout;
        var uri = new UriBuilder(_settings.Hub)
        {
            Scheme = _settings.Hub.Scheme == Uri.UriSchemeHttps ? "wss" : "ws", // the endpoint as the topology names it, or a proxy in front
            Query = $"device={Uri.EscapeDataString(_settings.Device)}&after={LastSequence}",
        }.Uri;

        // the socket's own handler, so the local address (what a proxy in front sees) is known
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await tcp.ConnectAsync(context.DnsEndPoint, ct);
                    LocalEndPoint = tcp.LocalEndPoint;
                    return new NetworkStream(tcp, ownsSocket: true);
                }
                catch
                {
                    tcp.Dispose();
                    throw;
                }
            },
        };
        using var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connectTimeout.CancelAfter(_settings.ServerTimeout);
        try
        {
            await socket.ConnectAsync(uri, new HttpMessageInvoker(handler, disposeHandler: true), connectTimeout.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        Volatile.Write(ref _socket, socket);
        if (IsAsleep)
        {
            socket.Abort(); // slept while connecting
        }

        SetState(DeviceConnectionState.Connected, null);
        return socket;
    }

    private async Task ReadAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var length = 0;
            ValueWebSocketReceiveResult read;
            do
            {
                if (length == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                read = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                length += read.Count;
            }
            while (!read.EndOfMessage);

            if (read.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException("the server closed the connection");
            }

            var frame = JsonSerializer.Deserialize<Frame>(buffer.AsSpan(0, length), JsonSerializerOptions.Web)
                ?? throw new JsonException("an empty frame");
            if (!await HandleAsync(frame, cancellationToken))
            {
                socket.Abort(); // a gap: resume after the last sequence handed over
                return;
            }
        }
    }

    /// <summary>Hands the frame to the app when it is the next sequence; false on a gap.</summary>
    private async ValueTask<bool> HandleAsync(Frame frame, CancellationToken cancellationToken)
    {
        var last = LastSequence;
        if (frame.Seq <= last)
        {
            FrameReceived?.Invoke(new DeviceFrame(frame.Id, _settings.User, _settings.Device, frame.Seq, FrameDisposition.Duplicate));
            if (!_settings.DropDuplicates)
            {
                Delivered?.Invoke(new DeviceDelivery(frame.Id, _settings.User, _settings.Device, frame.Seq));
            }

            return true;
        }

        if (frame.Seq > last + 1)
        {
            FrameReceived?.Invoke(new DeviceFrame(frame.Id, _settings.User, _settings.Device, frame.Seq, FrameDisposition.Dropped));
            return false;
        }

        FrameReceived?.Invoke(new DeviceFrame(frame.Id, _settings.User, _settings.Device, frame.Seq, FrameDisposition.Accepted));
        Interlocked.Exchange(ref _last, frame.Seq);
        if (_settings.Positions is { } positions)
        {
            await positions.SaveAsync(_settings.User, _settings.Device, frame.Seq, cancellationToken);
        }

        Delivered?.Invoke(new DeviceDelivery(frame.Id, _settings.User, _settings.Device, frame.Seq));
        return true;
    }

    private void SetState(DeviceConnectionState state, Exception? why)
    {
        State = state;
        StateChanged?.Invoke(state, why);
    }

    private sealed record Frame(long Seq, string Id, string From);
}
