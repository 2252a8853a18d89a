using Chaos.Reference.Client;

namespace Chaos.Harness.Workload;

/// <summary>One device of one virtual user: a reference client connected to one gateway, recording what its app layer saw.</summary>
public sealed class VirtualDevice
{
    internal VirtualDevice(string user, string device, Uri hub, ChatWorkload owner)
    {
        User = user;
        Device = device;
        Hub = hub;
        Process = $"{user}/{device}";
        Client = new ChatClient(owner.ClientOptions(user, device, hub));
        Client.Delivered += delivery => owner.RecordDelivery(this, delivery);
        Client.FrameReceived += frame => owner.RecordFrame(this, frame);
    }

    public string User { get; }

    public string Device { get; }

    /// <summary>The gateway hub this device connects to.</summary>
    public Uri Hub { get; }

    /// <summary>The history process name of this device's events.</summary>
    public string Process { get; }

    public ChatClient Client { get; }
}
