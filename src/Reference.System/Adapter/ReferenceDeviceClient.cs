using System.Net;
using Chaos.Harness.Devices;
using Chaos.Reference.Client;

namespace Chaos.Reference.Adapter;

/// <summary>A <see cref="ChatClient"/> seen through the harness's device contract: its options from the harness's settings, its events and states mapped one to one.</summary>
internal sealed class ReferenceDeviceClient : IDeviceClient
{
    private readonly ChatClient _client;

    public ReferenceDeviceClient(DeviceClientSettings settings, HubMethods methods)
    {
        _client = new ChatClient(new ChatClientOptions
        {
            HubUrl = settings.Hub,
            TokenProvider = settings.TokenProvider,
            User = settings.User,
            Device = settings.Device,
            DropDuplicates = settings.DropDuplicates,
            SequenceStore = settings.Positions is { } positions ? new PositionStore(positions) : new InMemorySequenceStore(),
            GapTimeout = settings.GapTimeout,
            ServerTimeout = settings.ServerTimeout,
            KeepAliveInterval = settings.KeepAliveInterval,
            ReconnectMinDelay = settings.ReconnectMinDelay,
            ReconnectMaxDelay = settings.ReconnectMaxDelay,
            Seed = settings.Seed,
            Methods = methods,
        });
        _client.Delivered += d => Delivered?.Invoke(new DeviceDelivery(d.Id, d.User, d.Device, d.Seq));
        _client.FrameReceived += f => FrameReceived?.Invoke(new DeviceFrame(f.Id, f.User, f.Device, f.Seq, ReferenceMapping.Map(f.Disposition)));
        _client.StateChanged += (state, error) => StateChanged?.Invoke(ReferenceMapping.Map(state), error);
    }

    public event Action<DeviceDelivery>? Delivered;

    public event Action<DeviceFrame>? FrameReceived;

    public event Action<DeviceConnectionState, Exception?>? StateChanged;

    public long LastSequence => _client.LastSequence;

    public DeviceConnectionState State => ReferenceMapping.Map(_client.State);

    public int Reconnects => _client.Reconnects;

    public EndPoint? LocalEndPoint => _client.LocalEndPoint;

    public bool IsAsleep => _client.IsAsleep;

    public Task ConnectAsync(CancellationToken cancellationToken) => _client.ConnectAsync(cancellationToken);

    public void Cut() => _client.Cut();

    public void Sleep() => _client.Sleep();

    public void Wake() => _client.Wake();

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    /// <summary>The harness's position store as the client's sequence store.</summary>
    private sealed class PositionStore(IDevicePositionStore positions) : ISequenceStore
    {
        public ValueTask<long> LoadAsync(string user, string device, CancellationToken cancellationToken) =>
            positions.LoadAsync(user, device, cancellationToken);

        public ValueTask SaveAsync(string user, string device, long sequence, CancellationToken cancellationToken) =>
            positions.SaveAsync(user, device, sequence, cancellationToken);
    }
}
