namespace Chaos.Harness.Faults.Schedule;

/// <summary>The faults a scenario may inject, from which a seed draws a schedule.</summary>
public sealed class FaultMenu
{
    /// <summary>Creates a menu; the items' order is part of what makes a seed's schedule reproducible.</summary>
    public FaultMenu(IEnumerable<FaultMenuItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        Items = [.. items];
        for (var i = 0; i < Items.Count; i++)
        {
            var item = Items[i];
            var field = $"items[{i}]";
            if (string.IsNullOrWhiteSpace(item.Fault))
            {
                throw new ArgumentException($"{field}.fault: a fault needs a name.", nameof(items));
            }

            if (item.Targets is null || item.Targets.Count == 0 || item.Targets.Any(string.IsNullOrWhiteSpace))
            {
                throw new ArgumentException($"{field}.targets: fault '{item.Fault}' needs at least one named target.", nameof(items));
            }

            if (!double.IsFinite(item.Weight) || item.Weight <= 0)
            {
                throw new ArgumentException($"{field}.weight: fault '{item.Fault}' needs a positive weight.", nameof(items));
            }

            if (item.MinDuration.HasValue != item.MaxDuration.HasValue
                || item.MinDuration < TimeSpan.Zero
                || item.MinDuration > item.MaxDuration)
            {
                throw new ArgumentException($"{field}.duration: fault '{item.Fault}' needs both MinDuration and MaxDuration (0 ≤ min ≤ max) or neither.", nameof(items));
            }

            if (item.Parameters?.Any(p => p.Value is null || p.Value.Count == 0) == true)
            {
                throw new ArgumentException($"{field}.parameters: every parameter of fault '{item.Fault}' needs at least one value.", nameof(items));
            }
        }
    }

    /// <summary>The menu's items, in order.</summary>
    public IReadOnlyList<FaultMenuItem> Items { get; }

    /// <summary>A catalogue of exactly these faults and targets, to validate incident files for the same scenario.</summary>
    public FaultCatalogue ToCatalogue() =>
        new(Items.GroupBy(i => i.Fault, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IEnumerable<string>)g.SelectMany(i => i.Targets).Distinct(StringComparer.Ordinal).ToList(), StringComparer.Ordinal));
}
