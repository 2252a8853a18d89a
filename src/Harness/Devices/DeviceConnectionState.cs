namespace Chaos.Harness.Devices;

/// <summary>A device client's connection.</summary>
public enum DeviceConnectionState
{
    Disconnected,
    Connecting,
    Connected,
    Reconnecting,
}
