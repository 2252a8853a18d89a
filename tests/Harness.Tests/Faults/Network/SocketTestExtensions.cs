using System.Net;
using System.Net.Sockets;

namespace Chaos.Harness.Tests.Faults.Network;

/// <summary>How a read loop ended.</summary>
internal enum StreamEnd
{
    Eof,
    Reset,
    TimedOut,
}

internal static class SocketTestExtensions
{
    public static async Task<Socket> ConnectAsync(string address, TimeSpan? timeout = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(IPEndPoint.Parse(address)).WaitAsync(timeout ?? TimeSpan.FromSeconds(10));
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static Task SendAllAsync(this Socket socket, byte[] data) =>
        socket.SendAsync(data.AsMemory(), SocketFlags.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public static async Task<byte[]> ReceiveExactlyAsync(this Socket socket, int count, TimeSpan? timeout = null)
    {
        var buffer = new byte[count];
        var offset = 0;
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (offset < count)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(offset), SocketFlags.None, cts.Token);
            if (read == 0)
            {
                throw new EndOfStreamException($"EOF after {offset} of {count} bytes");
            }

            offset += read;
        }

        return buffer;
    }

    /// <summary>Reads until EOF, reset or <paramref name="timeout"/>; returns the bytes, the reads and how it ended.</summary>
    public static async Task<(byte[] Data, int Reads, StreamEnd End)> ReceiveToEndAsync(this Socket socket, TimeSpan timeout)
    {
        var data = new List<byte>();
        var reads = 0;
        var buffer = new byte[64 * 1024];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (read == 0)
                {
                    return ([.. data], reads, StreamEnd.Eof);
                }

                reads++;
                data.AddRange(buffer.AsSpan(0, read));
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            return ([.. data], reads, StreamEnd.Reset);
        }
        catch (OperationCanceledException)
        {
            return ([.. data], reads, StreamEnd.TimedOut);
        }
    }
}
