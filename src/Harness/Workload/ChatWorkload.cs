using System.Collections.Concurrent;
using Chaos.Harness.Api;
using Chaos.Harness.Devices;
using Chaos.Harness.History;
using Chaos.Harness.Load;

namespace Chaos.Harness.Workload;

/// <summary>
/// The chat, notification and job workload: senders (chat messages, notifications, credit-account jobs through the
/// system's <see cref="ISystemApi"/>) and virtual devices (the system's own client, through
/// <see cref="IDeviceClientFactory"/>), every operation recorded in the history.
/// One owner for the run's clients; disposing it disconnects them.
/// </summary>
public sealed partial class ChatWorkload : IAsyncDisposable
{
    private readonly ISystemApi _api;
    private readonly IReadOnlyList<Uri> _hubs;
    private readonly HistoryWriter _history;
    private readonly ChatWorkloadOptions _options;
    private readonly long _seed;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, string> _tokens = new(StringComparer.Ordinal);
    private readonly List<VirtualDevice> _devices = [];
    private readonly ConcurrentBag<string> _freeProcesses = [];
    private readonly ConcurrentDictionary<string, SubmittedJob> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _acknowledgedTo = new(StringComparer.Ordinal);
    private readonly IDeviceClientFactory _clients;
    private readonly IDevicePositionStore? _positions;
    private readonly FilePositionStore? _positionFiles;
    private long _sendCounter;
    private long _jobCounter;
    private long _fanoutCounter;
    private long _processCounter;
    private long _loadStartNs;
    private (long HistoryNs, long WallMs) _clockAnchor;

    /// <summary>
    /// A workload that sends through <paramref name="api"/> and connects <paramref name="clients"/>' device clients to
    /// <paramref name="hubs"/> (the gateways' hubs, or the fault proxies in front of them), spread round-robin.
    /// </summary>
    public ChatWorkload(ISystemApi api, IReadOnlyList<Uri> hubs, IDeviceClientFactory clients, HistoryWriter history, ChatWorkloadOptions options, long seed, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(hubs);
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (hubs.Count == 0)
        {
            throw new ArgumentException("devices need at least one hub to connect to", nameof(hubs));
        }

        _api = api;
        _hubs = hubs;
        _clients = clients;
        _positionFiles = options.SequenceDirectory is { } dir ? new FilePositionStore(dir) : null;
        IDevicePositionStore? store = _positionFiles;
        if (options.SequenceSaveEvery > 1)
        {
            store = new WriteBehindPositionStore(store ?? new MemoryPositionStore(), options.SequenceSaveEvery);
        }

        _positions = store;
        _history = history;
        _options = options;
        _seed = seed;
    }

    /// <summary>Every virtual device of the run.</summary>
    public IReadOnlyList<VirtualDevice> Devices => _devices;

    /// <summary>What the drain read of job processing: attempts by outcome class, poison jobs submitted.</summary>
    public JobStatistics Jobs { get; } = new();

    /// <summary>Sends whose outcome was recorded, by outcome; for progress lines.</summary>
    public WorkloadCounters Counters { get; } = new();

    /// <summary>Open-model sends started so far: the n of the last <c>m&lt;n&gt;</c> (see <see cref="WorkloadCounters.HighestDeliveredSend"/>).</summary>
    public long SendsStarted => Interlocked.Read(ref _sendCounter);

    public IEnumerable<string> Users => Enumerable.Range(1, _options.Users).Select(u => $"u{u}");

    /// <summary>Registers every user, then connects every device (spread over the gateways) and records it.</summary>
    public async Task ConnectDevicesAsync(CancellationToken cancellationToken)
    {
        // the servers stamp job attempts with wall-clock ms; this pair maps them onto history time
        _clockAnchor = (_history.Now(), _time.GetUtcNow().ToUnixTimeMilliseconds());
        // 500 users' tokens one by one were a second of every run's start; the api takes a few at once
        await Parallel.ForEachAsync(Users, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (user, ct) => _tokens[user] = await IssueTokenAsync(user, ct));

        var hubs = _hubs;
        var i = 0;
        foreach (var user in Users)
        {
            for (var d = 1; d <= _options.Devices; d++)
            {
                var device = new VirtualDevice(user, $"d{d}", hubs[i++ % hubs.Count], this);
                _devices.Add(device);
                _history.Record(device.Process, HistoryEventType.Ok, HistoryOps.Device, new DeviceValue(user, device.Device));
            }
        }

        using var gate = new SemaphoreSlim(32);
        await Task.WhenAll(_devices.Select(async d =>
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                await d.Client.ConnectAsync(cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>
    /// Waits until the pipeline carries traffic end to end (consumer groups assigned, gateways subscribed) by sending
    /// canary notifications to the first user until one of its devices receives one. The canaries are ordinary,
    /// recorded sends: the checkers hold them to the same promises. Returns false when nothing arrived in time.
    /// </summary>
    public async Task<bool> SettleAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await SettleConsumersAsync(bounded.Token);
            await SettleMessagesAsync(bounded.Token);
            if (_options.JobRate > 0)
            {
                await SettleJobsAsync(bounded.Token);
            }

            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>
    /// Every notifier and jobs instance holds partitions: the consumer groups finished their first rebalances, so the
    /// steady phase does not measure a group still forming (the mock's classic rebalances take seconds).
    /// </summary>
    private async Task SettleConsumersAsync(CancellationToken cancellationToken)
    {
        while (!await _api.ConsumersAssignedAsync(cancellationToken))
        {
            await Task.Delay(200, cancellationToken);
        }
    }

    private async Task SettleMessagesAsync(CancellationToken cancellationToken)
    {
        var first = _devices.Where(d => d.User == "u1").ToArray();
        for (var k = 1; ; k++)
        {
            var id = $"canary{k}";
            var process = $"canary{k}"; // a process whose operation ended info never runs again
            _history.Record(process, HistoryEventType.Invoke, HistoryOps.Send, new SendValue(id, ["u1"]));
            var outcome = await _api.SendNotificationAsync(new Notification(id, "u1", "canary"), k, cancellationToken);
            _history.Record(process, outcome, HistoryOps.Send, new SendValue(id, ["u1"]));
            for (var i = 0; i < 20; i++)
            {
                if (first.Any(d => d.Client.LastSequence > 0))
                {
                    return;
                }

                await Task.Delay(100, cancellationToken);
            }
        }
    }

    /// <summary>The jobs pipeline carries traffic too: a canary job (an ordinary, recorded one) reaches a terminal state.</summary>
    private async Task SettleJobsAsync(CancellationToken cancellationToken)
    {
        const string id = "canary-t1";
        var value = new SubmitValue(id, id, "a1", 1);
        _history.Record("canary-job", HistoryEventType.Invoke, HistoryOps.Submit, value);
        var outcome = await _api.SubmitJobAsync(new JobSubmission(id, "a1", 1), 0, cancellationToken);
        _history.Record("canary-job", outcome, HistoryOps.Submit, value);
        if (outcome == HistoryEventType.Fail)
        {
            throw new InvalidOperationException("the api refused the canary job");
        }

        _jobs[id] = new SubmittedJob(id, "a1");
        while (await TryReadJobAsync(id, cancellationToken) is not { IsTerminal: true })
        {
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>
    /// A job read while settling: one the system cannot answer (a 500, every instance down) is "not yet", so a system
    /// that never answers ends the settle at its bound — the run could not be done (exit 2) — instead of escaping it.
    /// Found by a mutant whose job reads failed: the run crashed, and the tool exited 1 as if a promise had broken.
    /// </summary>
    private async Task<JobReport?> TryReadJobAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return await _api.ReadJobAsync(id, cancellationToken);
        }
        catch (SystemReadException)
        {
            return null;
        }
    }

    /// <summary>The highest sequence the user's durable inbox holds (what every device of the user must reach).</summary>
    public async Task<long> LatestSequenceAsync(string user, CancellationToken cancellationToken) =>
        await _api.InboxHeadAsync(user, await TokenAsync(user, cancellationToken), cancellationToken); // read as its owner

    /// <summary>Marks the history time at which the load generator starts, so intended times can be recorded.</summary>
    public void MarkLoadStart() => Interlocked.Exchange(ref _loadStartNs, _history.Now());

    /// <summary>The open-model operation for sends: one chat message or notification per arrival.</summary>
    public ValueTask SendAsync(LoadInvocation invocation, CancellationToken cancellationToken) =>
        new(SendCoreAsync(Interlocked.Read(ref _loadStartNs) + (invocation.IntendedStart.Ticks * 100), cancellationToken));

    /// <summary>
    /// The send operation for another generator started now (e.g. a burst): its intended start times count from this
    /// moment, so latency is measured from when each of its sends was due — not from the main load's start.
    /// </summary>
    public LoadOperation SendOperationStartingNow()
    {
        var start = _history.Now();
        return (invocation, ct) => new(SendCoreAsync(start + (invocation.IntendedStart.Ticks * 100), ct));
    }

    /// <summary>The open-model operation for jobs: one credit-account job per arrival.</summary>
    public ValueTask SubmitJobAsync(LoadInvocation invocation, CancellationToken cancellationToken) => new(SubmitCoreAsync(invocation, cancellationToken));

    private async Task SendCoreAsync(long intended, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _sendCounter);
        var rng = SeedStreams.Random(_seed, SeedStreams.SendContent, n);
        var id = $"m{n}";
        string[] to;
        string? conversation = null;
        Func<long, Task<HistoryEventType>> call;
        if (rng.NextDouble() < 0.3)
        {
            to = [$"u{rng.Next(1, _options.Users + 1)}"];
            var notification = new Notification(id, to[0], $"notification {n}");
            call = route => _api.SendNotificationAsync(notification, route, cancellationToken);
        }
        else
        {
            var count = rng.Next(1, Math.Min(_options.MaxRecipients, _options.Users) + 1);
            to = [.. Enumerable.Range(1, _options.Users).OrderBy(_ => rng.Next()).Take(count).Select(u => $"u{u}")];
            conversation = $"c{rng.Next(1, 1 + Math.Max(1, _options.Users / 2))}";
            var message = new ChatMessage(id, $"u{rng.Next(1, _options.Users + 1)}", conversation, to, $"message {n}");
            // a chat message is sent as its sender (the user's cached token: no extra round trip)
            var senderToken = await TokenAsync(message.From, cancellationToken);
            call = route => _api.SendMessageAsync(message, senderToken, route, cancellationToken);
        }

        var process = TakeProcess();
        _history.Record(process, HistoryEventType.Invoke, HistoryOps.Send, new SendValue(id, to, conversation, null, intended));
        var outcome = await call(n);
        _history.Record(process, outcome, HistoryOps.Send, new SendValue(id, to, conversation));
        Counters.Record(outcome);
        for (var retry = 1; outcome == HistoryEventType.Info && retry <= _options.RetryUnknownSends; retry++)
        {
            // the same id and idempotency key again, to the next api, as a real client retries an unanswered request;
            // the try's process ended info, so it retires (ReturnProcess keeps no info process) and the retry takes a new one
            if (!await WaitAsync(_options.RetryDelay * retry, cancellationToken))
            {
                return; // the load stopped: the send stays unknown, its last try recorded
            }

            process = TakeProcess();
            _history.Record(process, HistoryEventType.Invoke, HistoryOps.Send, new SendValue(id, to, conversation));
            outcome = await call(n + retry);
            _history.Record(process, outcome, HistoryOps.Send, new SendValue(id, to, conversation));
            Counters.Record(outcome);
            Counters.RecordRetried();
        }

        if (outcome == HistoryEventType.Ok)
        {
            Counters.RecordAcknowledged(n);
        }

        CountAcknowledged(outcome, to);
        ReturnProcess(process, outcome);
    }

    /// <summary>Waits <paramref name="delay"/> on the run's clock; false when the load was cancelled meanwhile.</summary>
    private async Task<bool> WaitAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One chat message to every user at once (a large group): the fan-out spike. Recorded like any send.</summary>
    public async Task<HistoryEventType> SendFanoutAsync(CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _fanoutCounter);
        var id = $"fanout{n}";
        string[] to = [.. Users];
        var senderToken = await TokenAsync("u1", cancellationToken);
        var process = TakeProcess();
        _history.Record(process, HistoryEventType.Invoke, HistoryOps.Send, new SendValue(id, to, "all-hands"));
        var outcome = await _api.SendMessageAsync(new ChatMessage(id, "u1", "all-hands", to, $"fan-out {n}"), senderToken, n, cancellationToken);
        _history.Record(process, outcome, HistoryOps.Send, new SendValue(id, to, "all-hands"));
        Counters.Record(outcome);
        CountAcknowledged(outcome, to);
        ReturnProcess(process, outcome);
        return outcome;
    }

    private async Task SubmitCoreAsync(LoadInvocation invocation, CancellationToken cancellationToken)
    {
        var n = Interlocked.Increment(ref _jobCounter);
        var rng = SeedStreams.Random(_seed, SeedStreams.JobContent, n);
        // the job's transaction id is its key, in the system and in the history
        var id = $"t{n}";
        var account = $"a{rng.Next(1, _options.Accounts + 1)}";
        // a poison job passes the api (an integer amount) and fails validation in the worker: dead-lettered at once
        var amount = rng.NextDouble() < _options.PoisonJobRate ? 0 : rng.Next(1, 101);
        var process = TakeProcess();
        var value = new SubmitValue(id, id, account, amount);
        _history.Record(process, HistoryEventType.Invoke, HistoryOps.Submit, value);
        var outcome = await _api.SubmitJobAsync(new JobSubmission(id, account, amount), n, cancellationToken);
        _history.Record(process, outcome, HistoryOps.Submit, value);
        if (amount == 0 && outcome == HistoryEventType.Ok)
        {
            Jobs.CountPoison();
        }
        if (outcome != HistoryEventType.Fail)
        {
            _jobs[id] = new SubmittedJob(id, account, Unknown: outcome == HistoryEventType.Info);
        }

        ReturnProcess(process, outcome);
    }

    /// <summary>Counts an acknowledged send for each recipient: the drain waits (bounded) for the inboxes to hold them.</summary>
    private void CountAcknowledged(HistoryEventType outcome, IEnumerable<string> to)
    {
        if (outcome != HistoryEventType.Ok)
        {
            return;
        }

        foreach (var user in to)
        {
            _acknowledgedTo.AddOrUpdate(user, 1, (_, n) => n + 1);
        }
    }

    private string TakeProcess() =>
        _freeProcesses.TryTake(out var p) ? p : $"s{Interlocked.Increment(ref _processCounter)}";

    /// <summary>A process whose operation ended <c>info</c> never runs again (Jepsen): it continues under a new name.</summary>
    private void ReturnProcess(string process, HistoryEventType outcome)
    {
        if (outcome != HistoryEventType.Info)
        {
            _freeProcesses.Add(process);
        }
    }

    internal ValueTask<string> TokenAsync(string user, CancellationToken cancellationToken) =>
        _tokens.TryGetValue(user, out var token) ? ValueTask.FromResult(token) : new ValueTask<string>(IssueTokenAsync(user, cancellationToken));

    private async Task<string> IssueTokenAsync(string user, CancellationToken cancellationToken)
    {
        var token = await _api.IssueTokenAsync(user, cancellationToken);
        _tokens[user] = token;
        return token;
    }

    internal void RecordDelivery(VirtualDevice device, DeviceDelivery delivery)
    {
        _history.Record(device.Process, HistoryEventType.Ok, HistoryOps.Deliver, new DeliverValue(delivery.Id, delivery.User, device.Device, delivery.Seq));
        Counters.RecordDelivered(delivery.Id);
    }

    /// <summary>
    /// The client's report of its connection, as <c>connect</c> events: <c>ok</c> when it says it is connected, <c>fail</c>
    /// when it says it is not and will try again (a dropped connection, a failed attempt) — the moment the pause before
    /// its next attempt begins, which the reconnect-pacing rule measures (docs/checkers.md, "Reconnect pacing").
    /// </summary>
    internal void RecordConnectionState(VirtualDevice device, int client, DeviceConnectionState state)
    {
        var type = state switch
        {
            DeviceConnectionState.Connected => HistoryEventType.Ok,
            DeviceConnectionState.Reconnecting => HistoryEventType.Fail,
            _ => (HistoryEventType?)null,
        };
        if (type is { } t)
        {
            _history.Record(device.Process, t, HistoryOps.Connect, new ConnectValue(device.User, device.Device, client));
        }
    }

    internal void RecordFrame(VirtualDevice device, DeviceFrame frame)
    {
        if (frame.Disposition == FrameDisposition.Duplicate)
        {
            Counters.RecordRedelivered();
        }

        if (frame.Disposition == FrameDisposition.Duplicate && _options.ClientDropsDuplicates)
        {
            _history.Record(device.Process, HistoryEventType.Ok, HistoryOps.Drop, new DeliverValue(frame.Id, frame.User, device.Device, frame.Seq));
        }
    }

    /// <summary>The shortest pause the harness's device clients take before a reconnect attempt (before jitter): the
    /// reconnect-pacing rule's floor (<see cref="Checkers.ReconnectEnvelope"/>, docs/checkers.md).</summary>
    public static readonly TimeSpan ReconnectMinDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest pause the run's device clients take before a reconnect attempt (before jitter).</summary>
    public static readonly TimeSpan ReconnectMaxDelay = TimeSpan.FromSeconds(1);

    /// <summary>How long the run's clients wait on a silent connection (no frame, no ping) before they drop it and
    /// reconnect; a read stall longer than this ends in a reconnect.</summary>
    public static readonly TimeSpan ServerTimeout = TimeSpan.FromSeconds(8);

    /// <summary>
    /// A new client for incarnation <paramref name="client"/> of a device's app. Its token provider records each call as
    /// a <c>connect</c> invoke: the client asks for a token once per connection attempt, so the harness observes every
    /// attempt and its time without taking the client's word for it (docs/history.md). The client's reports that it is
    /// connected, or not and retrying, are recorded by <see cref="RecordConnectionState"/>.
    /// </summary>
    internal IDeviceClient NewClient(string process, string user, string device, Uri hub, int client) => _clients.Create(new DeviceClientSettings
    {
        Hub = hub,
        TokenProvider = ct =>
        {
            _history.Record(process, HistoryEventType.Invoke, HistoryOps.Connect, new ConnectValue(user, device, client));
            return TokenAsync(user, ct);
        },
        User = user,
        Device = device,
        DropDuplicates = _options.ClientDropsDuplicates,
        Positions = _positions,
        GapTimeout = _options.GapTimeout,
        ServerTimeout = ServerTimeout,
        KeepAliveInterval = TimeSpan.FromSeconds(2), // a third of the gateways' default client timeout (6 s; 4 s in mobile-sleep-wake still allows two pings)
        ReconnectMinDelay = ReconnectMinDelay,
        ReconnectMaxDelay = ReconnectMaxDelay,
        Seed = SeedStreams.DeriveInt(_seed, SeedStreams.Client(user, device)),
    });

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_devices.Select(async d =>
        {
            try
            {
                await d.Client.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException or IOException or InvalidOperationException)
            {
                // The gateways may already be gone; the socket dies with the process either way.
            }
        }));
        _positionFiles?.Dispose();
    }

    /// <summary>A submitted job; <paramref name="Unknown"/> when the submit ended info (it may never have reached the system).</summary>
    private sealed record SubmittedJob(string Id, string Account, bool Unknown = false);
}
