namespace Chaos.Harness.Devices;

/// <summary>Makes a system's device clients: one per device, and a new one each time a device's app restarts.</summary>
public interface IDeviceClientFactory
{
    /// <summary>A client not yet connected; the harness subscribes to its events, then calls <see cref="IDeviceClient.ConnectAsync"/>.</summary>
    IDeviceClient Create(DeviceClientSettings settings);
}
