using System.Threading.Channels;
using Chaos.Reference.Faults;
using Chaos.Reference.Hosting;
using Chaos.Reference.Messaging;
using Chaos.Reference.Observability;
using Chaos.Reference.Storage;
using Microsoft.AspNetCore.SignalR;

namespace Chaos.Reference.Gateway;

/// <summary>
/// One device connection's ordered sender. It keeps a cursor (the last sequence pushed) and is the only writer to the
/// connection, so frames leave strictly in sequence order. A live delivery that is next is pushed as is; one that skips
/// ahead makes the pump read the gap from the durable inbox first; one at or below the cursor is dropped. Nothing is
/// pushed before the device said where it is (Resume).
/// </summary>
/// <remarks>
/// A slow reader costs bounded memory (docs/reference-system.md, "Slow readers"): the live deliveries waiting for the
/// pump are at most <see cref="SystemOptions.GatewayBacklog"/>; past that the pump only remembers the highest sequence
/// it was not given and reads the rest from the durable inbox when it catches up (the live record is a doorbell, the
/// inbox the truth). A push not written within <see cref="SystemOptions.GatewaySendTimeoutMs"/> — the device stopped
/// reading and every buffer toward it is full — closes the connection; the device resumes from its last sequence.
/// </remarks>
internal sealed partial class DevicePump : IAsyncDisposable
{
    private const int Page = 500;
    private readonly Channel<Signal> _signals;
    private readonly CancellationTokenSource _stop = new();
    private readonly Connection _connection;
    private readonly Store _store;
    private readonly IHubContext<ChatHub> _hub;
    private readonly Failpoints _failpoints;
    private readonly SystemMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _noResume;
    private readonly TimeSpan _sendTimeout;
    private readonly Task _loop;
    private long _cursor = -1;
    private long _resume = -1; // a Resume not acted on yet (the latest wins); -1: none
    private long _missed; // the highest live delivery not queued because the backlog was full; 0: none

    public DevicePump(Connection connection, Store store, IHubContext<ChatHub> hub, Failpoints failpoints, SystemMetrics metrics, TimeProvider time, SystemOptions options, ILogger logger)
    {
        _logger = logger;
        _connection = connection;
        ConnectedAt = time.GetUtcNow();
        _signals = Channel.CreateBounded<Signal>(new BoundedChannelOptions(options.GatewayBacklog) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _store = store;
        _hub = hub;
        _failpoints = failpoints;
        _metrics = metrics;
        _time = time;
        _noResume = options.Has(DefectNames.NoResume);
        _sendTimeout = TimeSpan.FromMilliseconds(options.GatewaySendTimeoutMs);
        _loop = Task.Run(RunAsync);
    }

    public string ConnectionId => _connection.Id;

    public string User => _connection.User;

    public string Device => _connection.Device;

    public DateTimeOffset ConnectedAt { get; }

    public long LastPushed => Interlocked.Read(ref _cursor);

    public long LastAcked { get; private set; }

    /// <summary>
    /// Kept aside rather than queued, so a full backlog cannot lose it: the pump acts on it before the next signal it
    /// reads (a full queue has signals left to read; an empty one takes the wake-up).
    /// </summary>
    public void Resume(long lastSeq)
    {
        Interlocked.Exchange(ref _resume, Math.Max(0, lastSeq));
        _signals.Writer.TryWrite(Signal.Wake);
    }

    /// <summary>Never blocks the backplane: a delivery that finds the backlog full is remembered by its sequence only.</summary>
    public void Offer(DeliveryRecord delivery)
    {
        if (!_signals.Writer.TryWrite(new Signal(delivery)))
        {
            var missed = Interlocked.Read(ref _missed);
            while (delivery.Seq > missed && Interlocked.CompareExchange(ref _missed, delivery.Seq, missed) != missed)
            {
                missed = Interlocked.Read(ref _missed);
            }
        }
    }

    public void Acked(long seq) => LastAcked = Math.Max(LastAcked, seq);

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        try
        {
            await foreach (var signal in _signals.Reader.ReadAllAsync(ct))
            {
                if (Interlocked.Exchange(ref _resume, -1) is var resume and >= 0)
                {
                    await ResumeAsync(resume, ct);
                }

                if (signal.Delivery is { } delivery)
                {
                    await OfferedAsync(delivery, ct);
                }

                // A full backlog refused deliveries while signals were queued, so this runs after each of those.
                if (Interlocked.Exchange(ref _missed, 0) is var missed and > 0)
                {
                    FailurePaths.GatewayBacklogFull.Hit();
                    if (Interlocked.Read(ref _cursor) >= 0)
                    {
                        await FillAsync(missed, ct); // before its Resume, the device's resume reads them anyway
                    }
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            // The inbox could not be read (the store refused, a connection dropped, too many clients). A pump that
            // stopped here used to leave its device connected and fed nothing, ever (random-mix on PostgreSQL, seed 1:
            // unseen ×249; docs/reference-system.md, "Slow readers"). Close the connection instead: the device
            // reconnects and resumes from its last sequence on a new pump.
            FailurePaths.GatewayPumpFailed.Hit();
            LogPumpFailed(_logger, e, User, Device);
            _connection.Abort();
        }
    }

    private async Task ResumeAsync(long lastSeq, CancellationToken ct)
    {
        if (lastSeq > 0)
        {
            FailurePaths.GatewayResume.Hit();
        }

        // no-resume defect: the device's position is ignored and it only sees what arrives from now on.
        var from = _noResume ? await _store.LatestSeqAsync(User, ct) : lastSeq;
        Interlocked.Exchange(ref _cursor, from);
        await FillAsync(long.MaxValue, ct);
    }

    private async Task OfferedAsync(DeliveryRecord delivery, CancellationToken ct)
    {
        var cursor = Interlocked.Read(ref _cursor);
        if (cursor < 0 || delivery.Seq <= cursor)
        {
            if (cursor >= 0)
            {
                FailurePaths.GatewayStaleDelivery.Hit();
            }

            return;
        }

        if (delivery.Seq == cursor + 1)
        {
            await PushAsync(delivery, ct);
        }
        else
        {
            FailurePaths.GatewayGapFill.Hit();
            await FillAsync(delivery.Seq, ct);
        }
    }

    private async Task FillAsync(long through, CancellationToken ct)
    {
        while (Interlocked.Read(ref _cursor) < through)
        {
            var rows = await _store.ReadInboxAsync(User, Interlocked.Read(ref _cursor), Page, ct);
            foreach (var row in rows)
            {
                await PushAsync(row, ct);
            }

            if (rows.Count < Page)
            {
                return;
            }
        }
    }

    private async Task PushAsync(DeliveryRecord delivery, CancellationToken ct)
    {
        using (var timeout = new CancellationTokenSource(_sendTimeout, _time))
        using (var send = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token))
        {
            try
            {
                await _hub.Clients.Client(ConnectionId).SendAsync("Deliver", delivery, send.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                // Every buffer toward the device is full and it reads nothing: close it rather than hold its backlog.
                FailurePaths.GatewayStalledReader.Hit();
                _metrics.StalledReaders.Add(1);
                _connection.Abort();
                await _stop.CancelAsync();
                throw;
            }
        }

        Interlocked.Exchange(ref _cursor, delivery.Seq);
        _metrics.Pushed.Add(1);
        _metrics.PushLatency.Record(Math.Max(0, _time.GetUtcNow().ToUnixTimeMilliseconds() - delivery.SentAt));
        await _failpoints.HitAsync("gateway.after-push-before-ack", ct);
    }

    public async ValueTask DisposeAsync()
    {
        _signals.Writer.TryComplete();
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    [LoggerMessage(EventId = 303, Level = LogLevel.Warning, Message = "pump of {User}/{Device} failed; its connection is closed for the device to resume")]
    private static partial void LogPumpFailed(ILogger logger, Exception exception, string user, string device);

    /// <summary>The connection a pump serves: its id, whose it is, and how to close it.</summary>
    public sealed record Connection(string Id, string User, string Device, Action Abort);

    /// <summary>A live delivery, or (none) a wake-up for a Resume.</summary>
    private readonly record struct Signal(DeliveryRecord? Delivery)
    {
        public static Signal Wake => default;
    }
}
