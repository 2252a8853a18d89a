using System.Globalization;
using Chaos.Harness.Faults.Schedule;

namespace Chaos.Harness.Faults.Kinds;

/// <summary>
/// One parameter a fault kind takes in a schedule entry's <c>parameters</c>: its name, what it means, the value used
/// when the entry gives none, and the check its text must pass. Declared once, beside the kind
/// (<see cref="FaultKind"/>); incident files are checked against it, the fault reads its value through it, and
/// <c>chaos list --faults</c> and docs/faults.md show it.
/// </summary>
public sealed class FaultParameter
{
    private readonly Func<string, string?> _problem;

    private FaultParameter(string name, string? defaultText, string description, Func<string, string?> problem)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        Name = name;
        Default = defaultText;
        Description = description;
        _problem = problem;
        if (defaultText is not null && problem(defaultText) is { } bad)
        {
            throw new ArgumentException($"the default of parameter {name} fails its own check: {bad}", nameof(defaultText));
        }
    }

    /// <summary>The key in the entry's <c>parameters</c>.</summary>
    public string Name { get; }

    /// <summary>The value used when an entry does not give one, as an entry would write it; null: none (see <see cref="Description"/>).</summary>
    public string? Default { get; }

    /// <summary>What the parameter means, one sentence.</summary>
    public string Description { get; }

    /// <summary>An entry must give it.</summary>
    public bool Required { get; private init; }

    /// <summary>The allowed values, in words (<c>1..1000</c>, <c>crash, delay, throw</c>).</summary>
    public string Range { get; private init; } = "";

    /// <summary>A whole number in <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static FaultParameter Integer(string name, long? @default, long min, long max, string description) =>
        new(name, @default?.ToString(CultureInfo.InvariantCulture), description, text =>
            !long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? $"'{text}' is not an integer"
            : value < min || value > max ? string.Create(CultureInfo.InvariantCulture, $"{value} is outside {min}..{max}")
            : null)
        { Range = string.Create(CultureInfo.InvariantCulture, $"{min}..{max}") };

    /// <summary>A finite decimal number in <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static FaultParameter Number(string name, double? @default, double min, double max, string description) =>
        new(name, @default?.ToString(CultureInfo.InvariantCulture), description, text =>
            !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) ? $"'{text}' is not a number"
            : value < min || value > max ? string.Create(CultureInfo.InvariantCulture, $"{text} is outside {min}..{max}")
            : null)
        { Range = string.Create(CultureInfo.InvariantCulture, $"{min}..{max}") };

    /// <summary>A duration (<c>500ms</c>, <c>2s</c>; <see cref="DurationText"/>) in <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static FaultParameter Duration(string name, TimeSpan? @default, TimeSpan min, TimeSpan max, string description) =>
        new(name, @default is { } d ? DurationText.Format(d) : null, description, text =>
            !DurationText.TryParse(text, out var value, out var error) ? error
            : value < min || value > max ? $"'{text}' is outside {DurationText.Format(min)}..{DurationText.Format(max)}"
            : null)
        { Range = $"{DurationText.Format(min)}..{DurationText.Format(max)}" };

    /// <summary>One of <paramref name="choices"/>, spelled exactly.</summary>
    public static FaultParameter Choice(string name, string? @default, IReadOnlyList<string> choices, string description, bool required = false)
    {
        ArgumentNullException.ThrowIfNull(choices);
        var known = choices.ToArray();
        return new(name, @default, description, text =>
            known.Contains(text, StringComparer.Ordinal) ? null : $"'{text}' is not one of {string.Join(", ", known)}")
        { Required = required, Range = string.Join(", ", known) };
    }

    /// <summary>A value <paramref name="problem"/> checks (null: fine; else why not), described by <paramref name="range"/>.</summary>
    public static FaultParameter Custom(string name, string? @default, string range, Func<string, string?> problem, string description)
    {
        ArgumentNullException.ThrowIfNull(problem);
        return new(name, @default, description, problem) { Range = range };
    }

    /// <summary>This parameter, required: for a kind that cannot do without a value another kind may leave out.</summary>
    public FaultParameter AsRequired() => new(Name, Default, Description, _problem) { Required = true, Range = Range };

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> whose message starts with the field
    /// (<c>parameters.bytes: 'abc' is not a whole number (reset-mid-frame)</c>) when <paramref name="text"/> fails.
    /// </summary>
    public void Check(string fault, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_problem(text) is { } problem)
        {
            throw new ArgumentException($"parameters.{Name}: {problem} ({fault})");
        }
    }
}
