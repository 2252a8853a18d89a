using System.Net;

namespace Chaos.Harness.Devices;

/// <summary>
/// One device of one user, connected to the system under test: the seam between the harness and a system's own client
/// (docs/architecture.md, "The device seam"). The harness never speaks the system's push protocol itself: an adapter
/// implements this for its client library (the reference system's is <c>src/Reference.System/Adapter</c>), and the
/// harness records what the client reports — each delivery handed to the app, each frame with what the client did
/// with it — and drives the device's faults through it (cut, sleep, wake, app kill by disposal).
/// </summary>
/// <remarks>
/// The client resumes by itself: on connect and after every reconnect it asks for everything after the position it
/// loaded from <see cref="DeviceClientSettings.Positions"/>, and it saves each position it handed to the app there.
/// </remarks>
public interface IDeviceClient : IAsyncDisposable
{
    /// <summary>A delivery handed to the app, in the order the app saw them.</summary>
    event Action<DeviceDelivery>? Delivered;

    /// <summary>Every transport frame as it arrived, with what the client did with it.</summary>
    event Action<DeviceFrame>? FrameReceived;

    /// <summary>The connection's state changed; the exception is why it dropped, when it did.</summary>
    event Action<DeviceConnectionState, Exception?>? StateChanged;

    /// <summary>The highest per-user sequence the app has been handed.</summary>
    long LastSequence { get; }

    DeviceConnectionState State { get; }

    /// <summary>Successful automatic reconnects so far.</summary>
    int Reconnects { get; }

    /// <summary>The local address of the current (or last) connection's socket, as a proxy in front sees the device.</summary>
    EndPoint? LocalEndPoint { get; }

    /// <summary>True between <see cref="Sleep"/> and <see cref="Wake"/>.</summary>
    bool IsAsleep { get; }

    /// <summary>Connects and resumes from the stored position; throws when the connection is refused.</summary>
    Task ConnectAsync(CancellationToken cancellationToken);

    /// <summary>Aborts the socket with no close handshake, as when the network drops; the client reconnects by itself.</summary>
    void Cut();

    /// <summary>Suspends the device as a mobile OS suspends an app: no reads, writes or reconnects until <see cref="Wake"/>.</summary>
    void Sleep();

    /// <summary>Resumes a suspended device; a connection that died meanwhile is re-made and resumed.</summary>
    void Wake();
}
