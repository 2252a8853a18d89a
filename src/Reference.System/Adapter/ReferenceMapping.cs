using Chaos.Harness.Devices;
using Chaos.Reference.Client;

namespace Chaos.Reference.Adapter;

/// <summary>The reference client's states and frame dispositions as the harness's: one to one, by name.</summary>
internal static class ReferenceMapping
{
    internal static DeviceConnectionState Map(ChatClientState state) => state switch
    {
        ChatClientState.Disconnected => DeviceConnectionState.Disconnected,
        ChatClientState.Connecting => DeviceConnectionState.Connecting,
        ChatClientState.Connected => DeviceConnectionState.Connected,
        ChatClientState.Reconnecting => DeviceConnectionState.Reconnecting,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "a client state the adapter does not know"),
    };

    internal static Harness.Devices.FrameDisposition Map(Client.FrameDisposition disposition) => disposition switch
    {
        Client.FrameDisposition.Accepted => Harness.Devices.FrameDisposition.Accepted,
        Client.FrameDisposition.Duplicate => Harness.Devices.FrameDisposition.Duplicate,
        Client.FrameDisposition.Dropped => Harness.Devices.FrameDisposition.Dropped,
        _ => throw new ArgumentOutOfRangeException(nameof(disposition), disposition, "a frame disposition the adapter does not know"),
    };
}
