namespace Chaos.Harness.Faults.Schedule;

/// <summary>
/// The fault names and targets a schedule may use, supplied by the caller (the scenario and its topology),
/// against which incident files are validated.
/// </summary>
public sealed class FaultCatalogue
{
    private readonly Dictionary<string, SortedSet<string>> _targetsByFault;

    /// <summary>A catalogue where each fault has its own set of valid targets.</summary>
    public FaultCatalogue(IReadOnlyDictionary<string, IEnumerable<string>> targetsByFault)
    {
        ArgumentNullException.ThrowIfNull(targetsByFault);
        _targetsByFault = targetsByFault.ToDictionary(
            p => p.Key,
            p => new SortedSet<string>(p.Value, StringComparer.Ordinal),
            StringComparer.Ordinal);
    }

    /// <summary>The known fault names, sorted.</summary>
    public IReadOnlyList<string> Faults => [.. _targetsByFault.Keys.Order(StringComparer.Ordinal)];

    /// <summary>A catalogue where every fault may hit every target.</summary>
    public static FaultCatalogue Of(IEnumerable<string> faults, IEnumerable<string> targets)
    {
        ArgumentNullException.ThrowIfNull(faults);
        ArgumentNullException.ThrowIfNull(targets);
        var all = targets.ToList();
        return new FaultCatalogue(faults.Distinct(StringComparer.Ordinal).ToDictionary(f => f, _ => (IEnumerable<string>)all, StringComparer.Ordinal));
    }

    /// <summary>True when the fault is known.</summary>
    public bool IsKnownFault(string fault) => _targetsByFault.ContainsKey(fault);

    /// <summary>The valid targets of a known fault, sorted; empty for an unknown one.</summary>
    public IReadOnlyList<string> TargetsOf(string fault) =>
        _targetsByFault.TryGetValue(fault, out var targets) ? [.. targets] : [];

    /// <summary>
    /// Checks an entry's parameters while the file is read, so a bad one is reported with its line; throws an
    /// <see cref="ArgumentException"/> whose message starts with the field (<c>parameters.hit: ...</c>). Null: unchecked.
    /// </summary>
    public Action<FaultScheduleEntry>? ParameterCheck { get; private init; }

    /// <summary>This catalogue, with <paramref name="check"/> run on the parameters of every entry it knows.</summary>
    public FaultCatalogue WithParameterCheck(Action<FaultScheduleEntry> check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return new FaultCatalogue(_targetsByFault.ToDictionary(p => p.Key, p => (IEnumerable<string>)p.Value, StringComparer.Ordinal)) { ParameterCheck = check };
    }
}
