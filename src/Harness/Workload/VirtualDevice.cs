using Chaos.Harness.Devices;
using Polly;
using Polly.Retry;

namespace Chaos.Harness.Workload;

/// <summary>
/// One device of one virtual user: the system's client connected to one gateway (or its fault proxy), recording what
/// its app layer saw. The app may be killed and restarted: a new client then resumes from the persisted sequence,
/// under the same history process name.
/// </summary>
public sealed class VirtualDevice
{
    private readonly ChatWorkload _owner;
    private readonly Lock _gate = new();
    private int _reconnectsBefore;
    private int _restarts;
    private int _incarnations;
    private bool _running = true;

    internal VirtualDevice(string user, string device, Uri hub, ChatWorkload owner)
    {
        User = user;
        Device = device;
        Hub = hub;
        Process = $"{user}/{device}";
        _owner = owner;
        Client = NewClient();
    }

    public string User { get; }

    public string Device { get; }

    /// <summary>The hub this device connects to: a gateway's, or the fault proxy in front of it.</summary>
    public Uri Hub { get; }

    /// <summary>The history process name of this device's events.</summary>
    public string Process { get; }

    /// <summary>The app's client; replaced when the app is restarted.</summary>
    public IDeviceClient Client { get; private set; }

    /// <summary>Automatic reconnects over every incarnation of the app.</summary>
    public int Reconnects
    {
        get
        {
            lock (_gate)
            {
                return _reconnectsBefore + Client.Reconnects;
            }
        }
    }

    /// <summary>How many times the app was restarted.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>False between <see cref="KillAppAsync"/> and <see cref="RestartAppAsync"/>.</summary>
    public bool IsAppRunning
    {
        get
        {
            lock (_gate)
            {
                return _running;
            }
        }
    }

    /// <summary>The head of this device's user's durable inbox.</summary>
    public Task<long> InboxLatestAsync(CancellationToken cancellationToken) => _owner.LatestSequenceAsync(User, cancellationToken);

    /// <summary>
    /// Kills the app: the socket is cut with no close handshake and the client disposed at once, so frames still queued
    /// in the connection reach no app. A frame the app was handling when killed is still persisted (the kill falls
    /// between frames: a kill between handing a frame over and persisting it is a property of the app, not of the
    /// transport under test).
    /// </summary>
    public async Task KillAppAsync(CancellationToken cancellationToken)
    {
        IDeviceClient client;
        lock (_gate)
        {
            if (!_running)
            {
                return;
            }

            _running = false;
            client = Client;
        }

        client.Cut();
        await client.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
    }

    /// <summary>How long a restarted app keeps trying to connect (its gateway may be down at that moment, as a phone
    /// app's first connect retries): 200 ms doubling to 2 s between tries.</summary>
    public static readonly TimeSpan RestartConnectDeadline = TimeSpan.FromSeconds(30);

    // Polly: retries of the connect (any failure but cancellation) within one overall timeout
    private static readonly ResiliencePipeline RestartConnect = new ResiliencePipelineBuilder()
        .AddTimeout(RestartConnectDeadline)
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException),
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(200),
            MaxDelay = TimeSpan.FromSeconds(2),
            MaxRetryAttempts = int.MaxValue,
        })
        .Build();

    /// <summary>
    /// Starts the app again: a new client that resumes from the persisted last sequence, retrying its connect for up
    /// to <see cref="RestartConnectDeadline"/> (random-mix restarted an app while its gateway was down, and one
    /// refused connect left the device dead for the rest of the run). No-op when it runs.
    /// </summary>
    public async Task RestartAppAsync(CancellationToken cancellationToken)
    {
        IDeviceClient client;
        lock (_gate)
        {
            if (_running)
            {
                return;
            }

            _reconnectsBefore += Client.Reconnects;
            client = NewClient();
            Client = client;
            _running = true;
        }

        Interlocked.Increment(ref _restarts);
        await RestartConnect.ExecuteAsync(async ct => await client.ConnectAsync(ct), cancellationToken);
    }

    private IDeviceClient NewClient()
    {
        var incarnation = Interlocked.Increment(ref _incarnations);
        var client = _owner.NewClient(Process, User, Device, Hub, incarnation);
        client.StateChanged += (state, _) => _owner.RecordConnectionState(this, incarnation, state);
        client.Delivered += delivery => _owner.RecordDelivery(this, delivery);
        client.FrameReceived += frame => _owner.RecordFrame(this, frame);
        return client;
    }
}
