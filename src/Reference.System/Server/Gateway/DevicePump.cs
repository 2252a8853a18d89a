using System.Threading.Channels;
using Chaos.Reference.Faults;
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
internal sealed class DevicePump : IAsyncDisposable
{
    private const int Page = 500;
    private readonly Channel<Signal> _signals = Channel.CreateUnbounded<Signal>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Store _store;
    private readonly IHubContext<ChatHub> _hub;
    private readonly Failpoints _failpoints;
    private readonly SystemMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly bool _noResume;
    private readonly Task _loop;
    private long _cursor = -1;

    public DevicePump(string connectionId, string user, string device, Store store, IHubContext<ChatHub> hub, Failpoints failpoints, SystemMetrics metrics, TimeProvider time, bool noResume)
    {
        ConnectionId = connectionId;
        User = user;
        Device = device;
        ConnectedAt = time.GetUtcNow();
        _store = store;
        _hub = hub;
        _failpoints = failpoints;
        _metrics = metrics;
        _time = time;
        _noResume = noResume;
        _loop = Task.Run(RunAsync);
    }

    public string ConnectionId { get; }

    public string User { get; }

    public string Device { get; }

    public DateTimeOffset ConnectedAt { get; }

    public long LastPushed => Interlocked.Read(ref _cursor);

    public long LastAcked { get; private set; }

    public void Resume(long lastSeq) => _signals.Writer.TryWrite(new Signal(lastSeq, null, IsResume: true));

    public void Offer(DeliveryRecord delivery) => _signals.Writer.TryWrite(new Signal(delivery.Seq, delivery, IsResume: false));

    public void Acked(long seq) => LastAcked = Math.Max(LastAcked, seq);

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        try
        {
            await foreach (var signal in _signals.Reader.ReadAllAsync(ct))
            {
                if (signal.IsResume)
                {
                    if (signal.Seq > 0)
                    {
                        FailurePaths.GatewayResume.Hit();
                    }

                    // no-resume defect: the device's position is ignored and it only sees what arrives from now on.
                    var from = _noResume ? await _store.LatestSeqAsync(User, ct) : Math.Max(0, signal.Seq);
                    Interlocked.Exchange(ref _cursor, from);
                    await FillAsync(long.MaxValue, ct);
                    continue;
                }

                var cursor = Interlocked.Read(ref _cursor);
                if (cursor < 0 || signal.Seq <= cursor)
                {
                    if (cursor >= 0)
                    {
                        FailurePaths.GatewayStaleDelivery.Hit();
                    }

                    continue;
                }

                if (signal.Seq == cursor + 1 && signal.Delivery is { } d)
                {
                    await PushAsync(d, ct);
                }
                else
                {
                    FailurePaths.GatewayGapFill.Hit();
                    await FillAsync(signal.Seq, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception) when (ct.IsCancellationRequested)
        {
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
        await _hub.Clients.Client(ConnectionId).SendAsync("Deliver", delivery, ct);
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

    private readonly record struct Signal(long Seq, DeliveryRecord? Delivery, bool IsResume);
}
