using Chaos.Harness.Devices;

namespace Chaos.Reference.Adapter;

/// <summary>The reference system's device clients: its client library (<c>Chaos.Reference.Client.ChatClient</c>) over SignalR.</summary>
public sealed class ReferenceDeviceClients : IDeviceClientFactory
{
    /// <summary>The factory holds no state; one instance serves every run.</summary>
    public static readonly ReferenceDeviceClients Instance = new();

    public IDeviceClient Create(DeviceClientSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ReferenceDeviceClient(settings);
    }
}
