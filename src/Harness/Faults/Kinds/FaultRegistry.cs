namespace Chaos.Harness.Faults.Kinds;

/// <summary>
/// The fault kinds a harness knows, each declared once (<see cref="FaultKind"/>): what incident files are validated
/// against, what a fault's family is looked up in, and what <c>chaos list --faults</c> prints. docs/faults.md, "Fault kinds".
/// </summary>
public sealed class FaultRegistry
{
    private readonly Dictionary<string, FaultKind> _kinds;

    /// <summary>A registry of <paramref name="kinds"/>; two kinds with one name are an error.</summary>
    public FaultRegistry(IEnumerable<FaultKind> kinds)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        _kinds = new Dictionary<string, FaultKind>(StringComparer.Ordinal);
        foreach (var kind in kinds)
        {
            if (!_kinds.TryAdd(kind.Name, kind))
            {
                throw new ArgumentException($"fault kind {kind.Name} is declared twice", nameof(kinds));
            }
        }
    }

    /// <summary>Every kind, by family then name.</summary>
    public IReadOnlyList<FaultKind> All =>
        [.. _kinds.Values.OrderBy(k => k.Family, StringComparer.Ordinal).ThenBy(k => k.Name, StringComparer.Ordinal)];

    /// <summary>The kind named <paramref name="name"/>, or null.</summary>
    public FaultKind? Find(string name) => _kinds.GetValueOrDefault(name);

    /// <summary>The kind named <paramref name="name"/>; an <see cref="ArgumentException"/> naming the known ones when there is none.</summary>
    public FaultKind Get(string name) =>
        Find(name) ?? throw new ArgumentException($"fault: '{name}' is not a fault kind (known: {string.Join(", ", _kinds.Keys.Order(StringComparer.Ordinal))})");

    /// <summary>Checks an entry against its kind (<see cref="FaultKind.Validate"/>); an unknown fault name is an error.</summary>
    public void Validate(Schedule.FaultScheduleEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Get(entry.Fault).Validate(entry);
    }
}
