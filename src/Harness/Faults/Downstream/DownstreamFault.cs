using System.Globalization;

namespace Chaos.Harness.Faults.Downstream;

/// <summary>
/// The jobs' downstream dependency fails, refuses or stalls calls, or is unreachable: sets the conditions of the
/// harness's own <see cref="DownstreamProvider"/> (which every jobs instance, restarted or added ones included, calls
/// once per attempt); healed by setting it back to healthy. What the provider observed while the fault held — calls
/// received, failed, refused, abandoned by their caller, connections closed unread — is the proof the fault took
/// effect, counted by the harness rather than read from the system.
/// </summary>
public sealed class DownstreamFault(DownstreamProvider provider, DownstreamConditions conditions, string name = "downstream") : IFault, IFaultOutcome
{
    private DownstreamCounts? _atApply;
    private DownstreamCounts? _atHeal;

    /// <summary>A failing and/or slow provider (the <c>downstream-failure</c> and <c>downstream-slow</c> kinds).</summary>
    public DownstreamFault(DownstreamProvider provider, double failureRate, int latencyMs, string name = "downstream")
        : this(provider, new DownstreamConditions(failureRate, TimeSpan.FromMilliseconds(latencyMs)), name)
    {
    }

    /// <inheritdoc/>
    public string Name => name;

    /// <inheritdoc/>
    public string Target => "jobs";

    /// <summary>How the provider answers while this fault holds.</summary>
    public DownstreamConditions Conditions => conditions;

    public double FailureRate => conditions.FailureRate;

    public int LatencyMs => (int)conditions.Latency.TotalMilliseconds;

    /// <summary>Calls the provider received while this fault held (from apply to heal, or to now); 0 before it was applied.</summary>
    public long CallsWhileApplied => Window().Calls;

    /// <summary>Calls the provider did not accept (failed or refused) while this fault held.</summary>
    public long FailedWhileApplied => Window().Failed;

    /// <summary>Calls the provider refused for good while this fault held.</summary>
    public long RefusedWhileApplied => Window().Refused;

    /// <summary>Connections the provider closed unread (unreachable) while this fault held.</summary>
    public long DroppedWhileApplied => Window().Dropped;

    /// <summary>Calls whose caller gave up before the answer, from the apply to now: a call that arrived while the
    /// fault held is abandoned when the caller's timeout runs out, which may be after the heal.</summary>
    public long AbandonedSinceApplied => _atApply is { } start ? provider.Counts.Since(start).Abandoned : 0;

    /// <inheritdoc/>
    public string? Outcome => _atApply is null ? null
        : string.Create(CultureInfo.InvariantCulture,
            $"the provider received {CallsWhileApplied} calls while it held, failed {FailedWhileApplied} (refused {RefusedWhileApplied}), closed {DroppedWhileApplied} connections unread; callers abandoned {AbandonedSinceApplied} calls");

    /// <summary>Null when the fault did what it exists to do, else why not: an unreachable provider closed a
    /// connection; any other received a call while it held, a refusing one refused one, a failing one with no latency
    /// failed one (a slow one delayed every call it received, whatever its draws failed), and a stalling one
    /// (<paramref name="expectAbandoned"/>: it holds calls past the caller's timeout) had a call given up
    /// by its caller.</summary>
    public string? Explain(bool expectAbandoned = false)
    {
        if (_atApply is null)
        {
            return null;
        }

        var calls = CallsWhileApplied;
        if (conditions.Unreachable)
        {
            return DroppedWhileApplied > 0 ? null : $"{name}: no caller tried to reach the provider while it was unreachable (no connection closed)";
        }

        if (calls == 0)
        {
            return $"{name}: the provider received no call while it held";
        }

        if (conditions.RefusalRate > 0 && RefusedWhileApplied == 0)
        {
            return $"{name}: the provider refused none of the {calls} calls it received while it held";
        }

        // a slow provider's failures are a sideline drawn per call: every call it received was delayed, which is its
        // effect (a random-mix seed once drew 13 calls at 30 % and failed none: 1 % of windows, not a fault that did nothing)
        if (conditions.FailureRate > 0 && FailedWhileApplied == 0 && conditions.Latency == TimeSpan.Zero)
        {
            return $"{name}: the provider failed none of the {calls} calls it received while it held (the fault never reached the jobs)";
        }

        return expectAbandoned && AbandonedSinceApplied == 0
            ? $"{name}: no caller gave up on any of the {calls} calls the provider held for {LatencyMs} ms"
            : null;
    }

    /// <inheritdoc/>
    public Task ApplyAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        conditions.Validate();
        _atApply = provider.Counts;
        _atHeal = null;
        provider.Configure(conditions);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task HealAsync(CancellationToken cancellationToken)
    {
        provider.Configure(DownstreamConditions.Healthy);
        if (_atApply is not null && _atHeal is null)
        {
            _atHeal = provider.Counts;
        }

        return Task.CompletedTask;
    }

    private DownstreamCounts Window() => _atApply is not { } start ? default : (_atHeal ?? provider.Counts).Since(start);

    /// <inheritdoc/>
    public override string ToString() => $"{name}: {conditions} at the harness's downstream provider";
}
