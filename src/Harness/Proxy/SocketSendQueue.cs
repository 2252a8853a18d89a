using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Chaos.Harness.Proxy;

/// <summary>
/// Waits until the kernel has handed a socket's written bytes to the peer. A reset (SO_LINGER 0) discards
/// whatever is still queued, so "reset after N bytes" must wait for those N bytes to leave first.
/// </summary>
internal static partial class SocketSendQueue
{
    private const nuint SiocOutq = 0x5411; // SIOCOUTQ (= TIOCOUTQ): bytes not yet acknowledged by the peer.

    public static async Task WaitUntilSentAsync(Socket socket, TimeProvider time, TimeSpan limit, CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            // No portable way to ask; loopback delivers within a tick or two.
            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellationToken);
            return;
        }

        var start = time.GetTimestamp();
        while (time.GetElapsedTime(start) < limit)
        {
            if (Pending(socket) <= 0)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(1), time, cancellationToken);
        }
    }

    private static int Pending(Socket socket)
    {
        try
        {
            return Ioctl(socket.SafeHandle, SiocOutq, out var pending) == 0 ? pending : -1;
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
    }

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(SafeHandle fd, nuint request, out int value);
}
