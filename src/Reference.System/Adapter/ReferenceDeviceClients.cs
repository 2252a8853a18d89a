using Chaos.Harness.Devices;
using Chaos.Reference.Client;

namespace Chaos.Reference.Adapter;

/// <summary>The reference system's device clients: its client library (<c>Chaos.Reference.Client.ChatClient</c>) over SignalR.</summary>
/// <param name="methods">The hub's method names (a declared system may name them otherwise).</param>
public sealed class ReferenceDeviceClients(HubMethods methods) : IDeviceClientFactory
{
    /// <summary>The reference system's: the factory holds no state; one instance serves every run.</summary>
    public static readonly ReferenceDeviceClients Instance = new(HubMethods.Reference);

    public IDeviceClient Create(DeviceClientSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ReferenceDeviceClient(settings, methods);
    }
}
