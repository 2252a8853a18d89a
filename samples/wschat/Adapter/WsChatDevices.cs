using Chaos.Harness.Devices;

namespace WsChat.Adapter;

/// <summary>Makes wschat device clients (<see cref="WsChatDeviceClient"/>).</summary>
public sealed class WsChatDevices : IDeviceClientFactory
{
    public IDeviceClient Create(DeviceClientSettings settings) => new WsChatDeviceClient(settings);
}
