using System.Globalization;
using System.Net;

namespace Chaos.Harness.Proxy;

/// <summary>Parses <c>host:port</c> strings as Toxiproxy takes them and enforces the loopback-only policy.</summary>
internal static class NetworkAddress
{
    /// <summary>Splits <c>host:port</c>, <c>[v6]:port</c> or <c>:port</c> (empty host = every interface).</summary>
    public static bool TrySplit(string value, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        var colon = value.LastIndexOf(':');
        if (colon < 0
            || !int.TryParse(value.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port)
            || port > IPEndPoint.MaxPort)
        {
            return false;
        }

        host = value[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            return false;
        }

        return true;
    }

    /// <summary>The endpoint to listen on; an empty string means an ephemeral loopback port.</summary>
    public static IPEndPoint ResolveListen(string listen, bool allowNonLoopback)
    {
        if (string.IsNullOrEmpty(listen))
        {
            return new IPEndPoint(IPAddress.Loopback, 0);
        }

        if (!TrySplit(listen, out var host, out var port))
        {
            throw new ProxyApiException(400, $"invalid listen address '{listen}': expected host:port");
        }

        var addresses = Resolve(host, "listen", listen);
        var address = addresses.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            ?? addresses[0];
        if (!allowNonLoopback && !IPAddress.IsLoopback(address))
        {
            throw new ProxyApiException(400, $"listen address '{listen}' is not loopback; start the proxy with non-loopback listening allowed");
        }

        return new IPEndPoint(address, port);
    }

    /// <summary>Checks an upstream address; it is dialled by name on each connection.</summary>
    public static void CheckUpstream(string upstream, bool allowNonLoopback)
    {
        if (!TrySplit(upstream, out var host, out var port) || port == 0 || host.Length == 0)
        {
            throw new ProxyApiException(400, $"invalid upstream address '{upstream}': expected host:port");
        }

        if (!allowNonLoopback && !Resolve(host, "upstream", upstream).All(IPAddress.IsLoopback))
        {
            throw new ProxyApiException(400, $"upstream address '{upstream}' is not loopback; start the proxy with non-loopback upstreams allowed");
        }
    }

    private static IPAddress[] Resolve(string host, string field, string value)
    {
        if (host.Length == 0)
        {
            return [IPAddress.Any];
        }

        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal];
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return [IPAddress.Loopback];
        }

        try
        {
            var addresses = Dns.GetHostAddresses(host);
            return addresses.Length > 0 ? addresses : throw new ProxyApiException(400, $"{field} host in '{value}' has no address");
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ArgumentException)
        {
            // ArgumentException: a name the resolver will not take (over 255 characters, found by tests/Harness.Tests/Fuzz)
            throw new ProxyApiException(400, $"{field} host in '{value}' does not resolve: {e.Message}");
        }
    }
}
