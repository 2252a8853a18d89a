using Chaos.Harness.Faults;
using Chaos.Harness.Runs;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// The faults a scenario created for one run and what it read after the fault phase, kept beside the run's context
/// in the run (<see cref="RunContext.State{T}"/>: catalogue scenarios are singletons; a suite runs them many times).
/// </summary>
internal sealed class RunEvidence
{
    public List<IFault> Faults { get; } = [];

    /// <summary>Counter totals read after the fault phase, by name.</summary>
    public Dictionary<string, double> Counters { get; } = new(StringComparer.Ordinal);

    public static RunEvidence For(RunContext context) => context.State<RunEvidence>();

    public T Add<T>(T fault)
        where T : IFault
    {
        lock (Faults)
        {
            Faults.Add(fault);
        }

        return fault;
    }

    /// <summary>The faults of type <typeparamref name="T"/> created for the run (each knows whether it was applied).</summary>
    public IReadOnlyList<T> Of<T>()
        where T : IFault
    {
        lock (Faults)
        {
            return [.. Faults.OfType<T>()];
        }
    }
}
