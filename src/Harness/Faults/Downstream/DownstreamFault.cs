using System.Globalization;

namespace Chaos.Harness.Faults.Downstream;

/// <summary>
/// The jobs' downstream dependency fails and/or slows down: sets the conditions of the harness's own
/// <see cref="DownstreamProvider"/> (which every jobs instance, restarted or added ones included, calls once per
/// attempt); healed by setting it back to healthy. What the provider observed while the fault held — calls received,
/// calls failed — is the proof the fault took effect, counted by the harness rather than read from the system.
/// </summary>
public sealed class DownstreamFault(DownstreamProvider provider, double failureRate, int latencyMs, string name = "downstream") : IFault, IFaultOutcome
{
    private readonly DownstreamConditions _conditions = new(failureRate, TimeSpan.FromMilliseconds(latencyMs));
    private (long Calls, long Failed)? _atApply;
    private (long Calls, long Failed)? _atHeal;

    /// <inheritdoc/>
    public string Name => name;

    /// <inheritdoc/>
    public string Target => "jobs";

    public double FailureRate => failureRate;

    public int LatencyMs => latencyMs;

    /// <summary>Calls the provider received while this fault held (from apply to heal, or to now); 0 before it was applied.</summary>
    public long CallsWhileApplied => Window().Calls;

    /// <summary>Calls the provider failed while this fault held.</summary>
    public long FailedWhileApplied => Window().Failed;

    /// <inheritdoc/>
    public string? Outcome => _atApply is null ? null
        : string.Create(CultureInfo.InvariantCulture, $"the provider received {CallsWhileApplied} calls while it held, failed {FailedWhileApplied}");

    /// <inheritdoc/>
    public Task ApplyAsync(CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(provider);
        _conditions.Validate();
        _atApply = (provider.CallCount, provider.FailedCount);
        _atHeal = null;
        provider.Configure(_conditions);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task HealAsync(CancellationToken cancellationToken)
    {
        provider.Configure(DownstreamConditions.Healthy);
        if (_atApply is not null && _atHeal is null)
        {
            _atHeal = (provider.CallCount, provider.FailedCount);
        }

        return Task.CompletedTask;
    }

    private (long Calls, long Failed) Window()
    {
        if (_atApply is not { } start)
        {
            return (0, 0);
        }

        var end = _atHeal ?? (provider.CallCount, provider.FailedCount);
        return (end.Calls - start.Calls, end.Failed - start.Failed);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{name}: failure rate {failureRate:0.##}, latency {latencyMs} ms at the harness's downstream provider");
}
