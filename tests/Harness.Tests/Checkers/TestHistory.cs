using Chaos.Harness.History;

namespace Chaos.Harness.Tests.Checkers;

/// <summary>Builds hand-made histories: each call appends one event, 1 ms after the previous one unless told.</summary>
internal sealed class TestHistory
{
    private readonly List<HistoryEvent> _events = [];
    private long _time;

    public IReadOnlyList<HistoryEvent> Events => _events;

    public long LastIndex => _events.Count - 1;

    public long Add(string process, HistoryEventType type, string f, OperationValue op, long? time = null)
    {
        _time = time ?? _time + 1_000_000;
        _events.Add(new HistoryEvent(_events.Count, _time, process, type, f, op));
        return _events.Count - 1;
    }

    public TestHistory At(long milliseconds)
    {
        _time = milliseconds * 1_000_000 - 1_000_000;
        return this;
    }

    public TestHistory Device(string user, string device)
    {
        Add($"{user}/{device}", HistoryEventType.Ok, HistoryOps.Device, new DeviceValue(user, device));
        return this;
    }

    public long Invoke(string process, string id, params string[] to) =>
        Add(process, HistoryEventType.Invoke, HistoryOps.Send, new SendValue(id, to));

    public long Complete(string process, HistoryEventType type, string id, params string[] to) =>
        Add(process, type, HistoryOps.Send, new SendValue(id, to));

    public long Ok(string process, string id, string to, long seq) =>
        Add(process, HistoryEventType.Ok, HistoryOps.Send, new SendValue(id, [to], Seq: new Dictionary<string, long> { [to] = seq }));

    /// <summary>invoke + ok with the server's seq for one recipient.</summary>
    public TestHistory Send(string process, string id, string to, long seq)
    {
        Invoke(process, id, to);
        Ok(process, id, to, seq);
        return this;
    }

    public long Deliver(string user, string device, string id, long seq) =>
        Add($"{user}/{device}", HistoryEventType.Ok, HistoryOps.Deliver, new DeliverValue(id, user, device, seq));

    public long Drop(string user, string device, string id, long seq) =>
        Add($"{user}/{device}", HistoryEventType.Ok, HistoryOps.Drop, new DeliverValue(id, user, device, seq));

    public long Sync(string user, string device, params (string Id, long Seq)[] items) =>
        Add($"{user}/{device}", HistoryEventType.Ok, HistoryOps.Sync, new SyncValue(user, device, [.. items.Select(i => new SyncItem(i.Id, i.Seq))]));

    public long SyncEnded(HistoryEventType type, string user, string device) =>
        Add($"{user}/{device}", type, HistoryOps.Sync, new SyncValue(user, device, []));

    public long Marker(string f, HistoryEventType type, string? target = null, string? detail = null) =>
        Add("harness", type, f, new MarkerValue(target, detail));

    public long Submit(string process, HistoryEventType type, string id, string txn, string account, decimal amount, long? timeMs = null) =>
        Add(process, type, HistoryOps.Submit, new SubmitValue(id, txn, account, amount), timeMs * 1_000_000);

    public long JobState(string id, string state, string? reason = null) =>
        Add("jobs", HistoryEventType.Ok, HistoryOps.JobState, new JobStateValue(id, state, reason));

    /// <summary>The drain's read of the dead-letter topic: one record per id (each with a reason).</summary>
    public long DeadLetters(params string[] ids) =>
        Add("drain", HistoryEventType.Ok, HistoryOps.DeadLetters, new DeadLettersValue("jobs-dlq", [.. ids.Select(id => new DeadLetterRecord(id, "planted"))]));

    public long Balance(string account, decimal balance) =>
        Add("harness", HistoryEventType.Ok, HistoryOps.Balance, new BalanceValue(account, balance));

    /// <summary>A connection attempt of <paramref name="user"/>/<paramref name="device"/>'s client (incarnation <paramref name="client"/>) begins at <paramref name="timeMs"/>.</summary>
    public long Connect(string user, string device, double timeMs, int client = 1) =>
        Add($"{user}/{device}", HistoryEventType.Invoke, HistoryOps.Connect, new ConnectValue(user, device, client), (long)(timeMs * 1_000_000));

    /// <summary>The client reports it is connected (<see cref="HistoryEventType.Ok"/>) or not and retrying (<see cref="HistoryEventType.Fail"/>).</summary>
    public long ConnectState(HistoryEventType type, string user, string device, double timeMs, int client = 1) =>
        Add($"{user}/{device}", type, HistoryOps.Connect, new ConnectValue(user, device, client), (long)(timeMs * 1_000_000));

    public long Attempt(string id, int attempt, long timeMs) =>
        Add("jobs", HistoryEventType.Ok, HistoryOps.Attempt, new AttemptValue(id, attempt), timeMs * 1_000_000);

    public long Attempt(string id, int attempt, long timeMs, string? outcome) =>
        Add("jobs", HistoryEventType.Ok, HistoryOps.Attempt, new AttemptValue(id, attempt, outcome), timeMs * 1_000_000);

    /// <summary>A call the harness's downstream provider received for <paramref name="job"/>, claiming <paramref name="attempt"/>.</summary>
    public long Call(string job, int? attempt, long timeMs, bool ok = false) =>
        Call(job, attempt, timeMs, ok ? CallValue.Ok : CallValue.Fail);

    public long Call(string job, int? attempt, long timeMs, string outcome, int? status = null, long? heldMs = null) =>
        Add(HistoryOps.DownstreamProcess, HistoryEventType.Ok, HistoryOps.Call,
            new CallValue($"c{_events.Count}", job, outcome, attempt, Status: status, HeldMs: heldMs), timeMs * 1_000_000);

    /// <summary>A nemesis fault or heal event (<paramref name="f"/>); a null <paramref name="target"/> names none.</summary>
    public long Fault(string name, string f, long timeMs, string? target = "target-1") =>
        Add(HistoryOps.NemesisProcess, HistoryEventType.Info, f, new NemesisValue(name, target), timeMs * 1_000_000);
}
