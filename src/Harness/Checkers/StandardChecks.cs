using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>The checkers every run uses, composed: delivery, ordering, jobs, retries, reconnects, latency, availability, and whether the
/// history exercised the promises the options require.</summary>
public static class StandardChecks
{
    /// <summary>The standard composite for <paramref name="options"/>.</summary>
    public static CompositeCheck Create(CheckOptions? options = null)
    {
        options ??= new CheckOptions();
        return new CompositeCheck(
            [
                new DeliveryCheck(), new SequenceCheck(), new JobsCheck(options.Retries.MaxAttempts, options.Retries), new RetryStormCheck(options.Retries), new ReconnectCheck(options.Reconnects), new LatencyCheck(options.LatencySlos),
                new AvailabilityCheck(options.Availability),
                new ExerciseCheck(options.RequiredPromises, options.LatencySlos),
            ],
            options.Informational);
    }

    /// <summary>Checks <paramref name="history"/> with the standard composite.</summary>
    public static CheckResult Check(IReadOnlyList<HistoryEvent> history, CheckOptions? options = null) => Create(options).Check(history);
}
