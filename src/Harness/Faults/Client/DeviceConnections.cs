using System.Net;
using Chaos.Harness.Proxy;
using Chaos.Harness.Workload;

namespace Chaos.Harness.Faults.Client;

/// <summary>Finds a device's current connection on the proxy in front of its gateway, by the client socket's port.</summary>
public static class DeviceConnections
{
    public static async Task<ConnectionInfo?> FindAsync(ToxiproxyClient proxies, string proxy, VirtualDevice device, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proxies);
        ArgumentNullException.ThrowIfNull(device);
        if (device.Client.LocalEndPoint is not IPEndPoint local)
        {
            return null;
        }

        var connections = await proxies.GetConnectionsAsync(proxy, cancellationToken);
        return connections.FirstOrDefault(c => IPEndPoint.TryParse(c.Client, out var ep) && ep.Port == local.Port);
    }
}
