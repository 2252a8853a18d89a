using System.Diagnostics;
using System.Text.Json;
using Chaos.Harness.Faults;
using Chaos.Harness.History;
using Chaos.Harness.Telemetry;

namespace Chaos.Harness.Runs;

/// <summary>
/// The run's one owner of injected faults: applies them, records each as nemesis events (<c>fault</c> / <c>heal</c>,
/// with id, target, planned and actual time), tracks what is in force, and heals everything still applied —
/// after the fault phase and on abort alike.
/// </summary>
public sealed class Nemesis
{
    private readonly HistoryWriter _history;
    private readonly HashSet<string> _activeNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (IFault Fault, AppliedFault Record, Activity? Span)> _active = new(StringComparer.Ordinal);
    private readonly List<AppliedFault> _applied = [];
    private readonly Lock _gate = new();
    private readonly TimeSpan _abortedHealBound;
    private long _counter;

    /// <param name="history">The run's history.</param>
    /// <param name="abortedHealBound">How long the heal of a fault whose apply was cut by the run's stop may take
    /// (default <see cref="AbortedHealBound"/>).</param>
    internal Nemesis(HistoryWriter history, TimeSpan? abortedHealBound = null)
    {
        _history = history;
        _abortedHealBound = abortedHealBound ?? AbortedHealBound;
    }

    /// <summary>How long the heal of a fault whose apply failed may take while the run goes on: past a node's start-up
    /// timeout (90 s for the reference system), since such a heal may restart the node and wait for it.</summary>
    internal static TimeSpan FailedApplyHealBound { get; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// How long the heal of a failed apply may take once the run is being stopped (the stop cut the apply, or came while
    /// the heal waited). A SIGTERMed run whose fault was killing a
    /// node healed it by restarting the node and waiting the node's whole start-up timeout (90 s, a gateway that could
    /// not start) before it went on stopping; what a heal cut here leaves (a node down or paused, a broker down), the
    /// teardown that follows removes (the topology kills every node, the Kafka host goes).
    /// </summary>
    internal static TimeSpan AbortedHealBound { get; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The faults in force now (<c>name@target</c>), a copy taken under the lock that guards every change: the live
    /// progress once copied a set another lock guarded, while a fault was applied — "Destination array is not long
    /// enough", and the run crashed.
    /// </summary>
    public IReadOnlyList<string> ActiveFaults
    {
        get
        {
            lock (_gate)
            {
                return [.. _activeNames.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>Every fault applied so far (or attempted), in order, with its outcome.</summary>
    public IReadOnlyList<AppliedFault> Applied
    {
        get
        {
            lock (_gate)
            {
                return [.. _applied];
            }
        }
    }

    /// <summary>Applies <paramref name="fault"/>; returns its id, or null when it could not be applied (recorded as fail).</summary>
    public async Task<string?> ApplyAsync(IFault fault, TimeSpan? plannedAt, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(fault);
        var id = $"f{Interlocked.Increment(ref _counter)}";
        var record = new AppliedFault(id, fault.Name, fault.Target, plannedAt, _history.Now());
        _history.Record(HistoryOps.NemesisProcess, HistoryEventType.Invoke, HistoryOps.Fault, Value(fault, id, plannedAt, parameters, null));
        var span = HarnessTelemetry.StartFault(fault.Name, fault.Target, id);
        try
        {
            await fault.ApplyAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            record.Error = e.Message;
            span?.SetStatus(ActivityStatusCode.Error, "not applied: " + e.Message);
            span?.Dispose();
            lock (_gate)
            {
                _applied.Add(record);
            }

            _history.Record(HistoryOps.NemesisProcess, HistoryEventType.Fail, HistoryOps.Fault, Value(fault, id, plannedAt, parameters, e.Message));
            // bounded, and bounded short once the run is being stopped (already, or while the heal waits)
            using (var bound = new CancellationTokenSource(FailedApplyHealBound))
            using (cancellationToken.Register(() => bound.CancelAfter(_abortedHealBound)))
            {
                await SafeHealAsync(fault, bound.Token);
            }

            if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            return null;
        }

        record.AppliedAt = _history.Now();
        _history.Record(HistoryOps.NemesisProcess, HistoryEventType.Ok, HistoryOps.Fault, Value(fault, id, plannedAt, parameters, null));
        if (fault is Faults.Process.ProcessRestartFault { StartFailure: { } startFailure })
        {
            // the restart took effect and the system could not start again: its failure, not the fault's (node-down)
            _history.Record(HistoryOps.NemesisProcess, HistoryEventType.Info, HistoryOps.NodeDown,
                new MarkerValue(fault.Target, $"{fault.Name} ({id}) stopped it and started it again, and the new incarnation {startFailure}"));
        }

        span?.AddEvent(new ActivityEvent("applied"));
        HarnessTelemetry.ActiveFaults.Add(1, new("name", fault.Name), new("target", fault.Target));
        lock (_gate)
        {
            _applied.Add(record);
            _active[id] = (fault, record, span);
            _activeNames.Add($"{fault.Name}@{fault.Target}");
        }

        return id;
    }

    /// <summary>Heals the fault with <paramref name="id"/>; a no-op when it is not in force.</summary>
    public async Task HealAsync(string id, CancellationToken cancellationToken)
    {
        (IFault Fault, AppliedFault Record, Activity? Span) entry;
        lock (_gate)
        {
            if (!_active.Remove(id, out entry))
            {
                return;
            }
        }

        _history.Record(HistoryOps.NemesisProcess, HistoryEventType.Invoke, HistoryOps.Heal, Value(entry.Fault, id, null, null, null));
        var error = await SafeHealAsync(entry.Fault, cancellationToken);
        var healedAt = _history.Now();
        _history.Record(HistoryOps.NemesisProcess, error is null ? HistoryEventType.Ok : HistoryEventType.Info, HistoryOps.Heal, Value(entry.Fault, id, null, null, error));
        HarnessTelemetry.ActiveFaults.Add(-1, new("name", entry.Fault.Name), new("target", entry.Fault.Target));
        if (entry.Span is { } span)
        {
            span.AddEvent(new ActivityEvent("healed"));
            if (error is not null)
            {
                span.SetStatus(ActivityStatusCode.Error, "heal failed: " + error);
            }

            span.Dispose();
        }
        lock (_gate)
        {
            // under the gate like every other change to a record that Applied hands out
            entry.Record.HealedAt = healedAt;
            if (!_active.Values.Any(a => a.Fault.Name == entry.Fault.Name && a.Fault.Target == entry.Fault.Target))
            {
                _activeNames.Remove($"{entry.Fault.Name}@{entry.Fault.Target}");
            }
        }
    }

    /// <summary>Heals everything still in force, newest first.</summary>
    public async Task HealAllAsync(CancellationToken cancellationToken)
    {
        string[] ids;
        lock (_gate)
        {
            ids = [.. _active.Keys.Reverse()];
        }

        foreach (var id in ids)
        {
            await HealAsync(id, cancellationToken);
        }
    }

    private static async Task<string?> SafeHealAsync(IFault fault, CancellationToken cancellationToken)
    {
        try
        {
            await fault.HealAsync(cancellationToken);
            return null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return e.Message;
        }
    }

    private JsonElement Value(IFault fault, string id, TimeSpan? plannedAt, IReadOnlyDictionary<string, string>? parameters, string? error)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("fault", fault.Name);
            writer.WriteString("target", fault.Target);
            writer.WriteString("id", id);
            if (plannedAt is { } planned)
            {
                // planned offset from the start of the fault phase, in ns; the event's own time is the actual time
                writer.WriteNumber("planned", planned.Ticks * 100);
            }

            if (parameters is { Count: > 0 })
            {
                writer.WriteStartObject("params");
                foreach (var (k, v) in parameters)
                {
                    writer.WriteString(k, v);
                }

                writer.WriteEndObject();
            }

            if (error is not null)
            {
                writer.WriteString("error", error);
            }

            if (fault is IFaultOutcome { Outcome: { } outcome })
            {
                // what actually happened (e.g. "crashed at hit 3"), for readers of the history
                writer.WriteString("outcome", outcome);
            }

            writer.WriteEndObject();
        }

        return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
    }
}
