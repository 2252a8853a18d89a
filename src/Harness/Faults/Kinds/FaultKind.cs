using System.Globalization;
using Chaos.Harness.Faults.Schedule;

namespace Chaos.Harness.Faults.Kinds;

/// <summary>
/// A kind of fault a schedule may name, declared once: its schedule name, its family, what it targets, what it does,
/// the parameters it takes (each with its default and check), and any check across parameters. Incident files are
/// validated against it before a run starts, faults read their parameters through it (so a value is checked and
/// defaulted in one place), and <c>chaos list --faults</c> and docs/faults.md show it. docs/faults.md, "Fault kinds".
/// </summary>
public sealed class FaultKind
{
    private readonly Action<FaultScheduleEntry>? _check;

    /// <summary>A kind; <paramref name="check"/> runs after every parameter passed its own (cross-parameter rules).</summary>
    public FaultKind(string name, string family, string target, string summary, IReadOnlyList<FaultParameter>? parameters = null, Action<FaultScheduleEntry>? check = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(family);
        ArgumentException.ThrowIfNullOrWhiteSpace(target);
        ArgumentException.ThrowIfNullOrWhiteSpace(summary);
        Name = name;
        Family = family;
        Target = target;
        Summary = summary;
        Parameters = parameters ?? [];
        _check = check;
        if (Parameters.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new ArgumentException($"{name} declares parameter {twice.Key} twice", nameof(parameters));
        }
    }

    /// <summary>The name a schedule writes in <c>fault:</c>.</summary>
    public string Name { get; }

    /// <summary>What it acts on: process, proxy, kafka, storage, downstream, device or load.</summary>
    public string Family { get; }

    /// <summary>What <c>target:</c> names, in words.</summary>
    public string Target { get; }

    /// <summary>What the fault does, one sentence.</summary>
    public string Summary { get; }

    /// <summary>What the deployment must offer for it to act (<see cref="FaultCapabilities"/>); empty: any.</summary>
    public IReadOnlyList<string> Requires { get; init; } = [];

    /// <summary>The parameters it takes, in the order the docs list them.</summary>
    public IReadOnlyList<FaultParameter> Parameters { get; }

    /// <summary>
    /// Checks an entry of this kind before a run: no unknown parameter, every required one given, each value passes its
    /// parameter's check, then the kind's own check. Throws an <see cref="ArgumentException"/> whose message starts with
    /// the field (<c>parameters.count: ...</c>).
    /// </summary>
    public void Validate(FaultScheduleEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (!string.Equals(entry.Fault, Name, StringComparison.Ordinal))
        {
            throw new ArgumentException($"fault: '{entry.Fault}' is not {Name}");
        }

        if (entry.Parameters.Keys.Order(StringComparer.Ordinal).FirstOrDefault(k => Find(k) is null) is { } unknown)
        {
            throw new ArgumentException(Parameters.Count == 0
                ? $"parameters.{unknown}: {Name} takes no parameters"
                : $"parameters.{unknown}: unknown {Name} parameter (known: {string.Join(", ", Parameters.Select(p => p.Name))})");
        }

        // the values given first (a bad one is named even when a required one is missing too), then the missing
        foreach (var parameter in Parameters.Where(p => entry.Parameters.ContainsKey(p.Name)))
        {
            parameter.Check(Name, entry.Parameters[parameter.Name]);
        }

        if (Parameters.FirstOrDefault(p => p.Required && !entry.Parameters.ContainsKey(p.Name)) is { } missing)
        {
            throw new ArgumentException($"parameters.{missing.Name}: {Name} needs it ({missing.Range})");
        }

        _check?.Invoke(entry);
    }

    /// <summary>The entry's value of <paramref name="name"/>, checked, or the declared default; null when neither.</summary>
    public string? Text(FaultScheduleEntry entry, string name)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var parameter = Find(name) ?? throw new ArgumentException($"{Name} declares no parameter {name}", nameof(name));
        if (!entry.Parameters.TryGetValue(name, out var text))
        {
            return parameter.Default;
        }

        parameter.Check(Name, text);
        return text;
    }

    /// <summary>The entry's whole-number value of <paramref name="name"/>, or its default; null when neither.</summary>
    public long? Integer(FaultScheduleEntry entry, string name) =>
        Text(entry, name) is { } text ? long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : null;

    /// <summary>The entry's decimal value of <paramref name="name"/>, or its default; null when neither.</summary>
    public double? Number(FaultScheduleEntry entry, string name) =>
        Text(entry, name) is { } text ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : null;

    /// <summary>The declared parameter named <paramref name="name"/>, or null.</summary>
    public FaultParameter? Find(string name) => Parameters.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));

    public override string ToString() => Name;
}
