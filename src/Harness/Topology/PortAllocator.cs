using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Chaos.Harness.Topology;

/// <summary>
/// Hands out free loopback TCP ports for the <c>{port}</c> placeholders of a node's spec (docs/topology.md, "Ports").
/// A port is probed free and released, then bound by the node a moment later; in between another program can take it.
/// Two things narrow that gap. Ports are drawn at random from below the kernel's ephemeral range
/// (<c>/proc/sys/net/ipv4/ip_local_port_range</c>), where no outgoing connection is ever given a local port — with
/// hundreds of client connections opening during a test run, an ephemeral port probed free was now and then taken by a
/// connect(2) before the node bound it. And ports handed out by this process are not handed out twice. What is left
/// (another program binding the same port in the same second) a launch survives by starting again on fresh ports
/// (<see cref="NodeLaunches.IsPortTaken"/>).
/// </summary>
public static class PortAllocator
{
    /// <summary>The lowest port drawn from; below it sit the well-known and registered services a machine may run.</summary>
    internal const int Floor = 10_000;

    private const string EphemeralRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";

    private static readonly ConcurrentDictionary<int, byte> HandedOut = new();

    private static readonly Lazy<int?> Ceiling = new(() => EphemeralStart(EphemeralRangeFile) is { } start && start - Floor >= 1_000 ? start : null);

    /// <summary>A free TCP port on 127.0.0.1.</summary>
    public static int Allocate()
    {
        if (Ceiling.Value is { } ceiling)
        {
            for (var attempt = 0; attempt < 64; attempt++)
            {
                var port = Random.Shared.Next(Floor, ceiling);
                if (IsFree(port) && HandedOut.TryAdd(port, 0))
                {
                    return port;
                }
            }
        }

        // No ephemeral range to keep out of (not Linux), or the range below it is crowded: the kernel's choice.
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

    /// <summary>The first port of the kernel's ephemeral range as <paramref name="file"/> gives it ("32768\t60999"), or
    /// null when the file is absent or unreadable.</summary>
    internal static int? EphemeralStart(string file)
    {
        try
        {
            var fields = File.ReadAllText(file).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return fields.Length == 2 && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var start) && start is > 0 and <= IPEndPoint.MaxPort
                ? start
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
