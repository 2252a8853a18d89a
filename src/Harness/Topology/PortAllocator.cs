using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Chaos.Harness.Topology;

/// <summary>
/// Hands out free loopback TCP ports: binds port 0, reads the port the kernel chose, and releases it.
/// Ports handed out by this process are not handed out twice, which closes the race between two nodes of one run;
/// another program can still take the port before the node binds it, so nodes that can announce the port they
/// bound (port 0 + a ready line) are preferable where restarts need not keep the port.
/// </summary>
public static class PortAllocator
{
    private static readonly ConcurrentDictionary<int, byte> HandedOut = new();

    /// <summary>A free TCP port on 127.0.0.1.</summary>
    public static int Allocate()
    {
        for (var attempt = 0; attempt < 64; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (HandedOut.TryAdd(port, 0))
            {
                return port;
            }
        }

        throw new TopologyException("no free loopback port found after 64 attempts");
    }

    /// <summary>Whether a TCP listener could bind <paramref name="port"/> on 127.0.0.1 right now.</summary>
    public static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
