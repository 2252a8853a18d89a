using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Chaos.Harness.Tests.Faults.Network;

/// <summary>A loopback upstream for proxy tests: hands each accepted socket to the test, or echoes.</summary>
internal sealed class TcpTestServer : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Channel<Socket> _accepted = Channel.CreateUnbounded<Socket>();
    private readonly List<Socket> _sockets = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly bool _echo;

    private TcpTestServer(bool echo)
    {
        _echo = echo;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        _acceptLoop = AcceptLoopAsync();
    }

    public string Address => _listener.LocalEndPoint!.ToString()!;

    /// <summary>A server whose accepted sockets the test takes with <see cref="AcceptAsync"/>.</summary>
    public static TcpTestServer Manual() => new(echo: false);

    /// <summary>A server that echoes every byte back.</summary>
    public static TcpTestServer Echo() => new(echo: true);

    public async Task<Socket> AcceptAsync() => await _accepted.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await _acceptLoop.WaitAsync(TimeSpan.FromSeconds(5));
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync(_stop.Token);
                socket.NoDelay = true;
                lock (_sockets)
                {
                    _sockets.Add(socket);
                }

                if (_echo)
                {
                    _ = EchoAsync(socket);
                }
                else
                {
                    _accepted.Writer.TryWrite(socket);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task EchoAsync(Socket socket)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    socket.Shutdown(SocketShutdown.Send);
                    return;
                }

                await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
