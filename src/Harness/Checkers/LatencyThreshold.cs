using System.Globalization;

namespace Chaos.Harness.Checkers;

/// <summary>A latency SLO: in <see cref="Phase"/> (<c>steady</c>, <c>fault</c>, <c>all</c> — the whole run pooled — or
/// <c>each</c> — steady state and the fault phase, each on its own) the <see cref="Percentile"/>th delivery latency
/// must not exceed <see cref="Limit"/>. Parsed from text such as <c>p99=500ms</c> (no phase: every phase, i.e.
/// <c>each</c>), <c>steady:p99=500ms</c>, <c>fault:p99=2s</c>, <c>all:max=10s</c>.</summary>
public sealed record LatencyThreshold(string Phase, double Percentile, TimeSpan Limit)
{
    /// <summary>The steady-state phase.</summary>
    public const string Steady = "steady";

    /// <summary>The fault phase.</summary>
    public const string Fault = "fault";

    /// <summary>The whole run.</summary>
    public const string All = "all";

    /// <summary>Every phase of the run on its own: steady state, and the fault phase when the run had one. What a
    /// threshold written without a phase means.</summary>
    public const string Each = "each";

    /// <summary>The text form, e.g. <c>fault:p99=2000ms</c>; a threshold for every phase has no prefix
    /// (<c>p99=2000ms</c>).</summary>
    public override string ToString() =>
        $"{(Phase == Each ? "" : Phase + ":")}{(Percentile >= 100 ? "max" : "p" + Percentile.ToString(CultureInfo.InvariantCulture))}={Limit.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}ms";

    /// <summary>Parses <c>[phase:]pNN=DURATION</c> (or <c>max=DURATION</c>); without a phase the threshold applies to
    /// every phase on its own (<see cref="Each"/>). Durations take ns, us, ms, s or m.</summary>
    /// <exception cref="FormatException">The text is not a threshold; the message says why.</exception>
    public static LatencyThreshold Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var phase = Each;
        var rest = text.Trim();
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            phase = rest[..colon].Trim().ToLowerInvariant();
            rest = rest[(colon + 1)..];
            if (phase is not (Steady or Fault or All or Each))
            {
                throw new FormatException($"SLO '{text}': phase must be steady, fault, all or each, not '{phase}'");
            }
        }

        var equals = rest.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            throw new FormatException($"SLO '{text}': expected [phase:]pNN=DURATION, e.g. p99=500ms");
        }

        var name = rest[..equals].Trim().ToLowerInvariant();
        double percentile;
        if (name == "max")
        {
            percentile = 100;
        }
        else if (!name.StartsWith('p') || !double.TryParse(name[1..], NumberStyles.Float, CultureInfo.InvariantCulture, out percentile)
                 || percentile <= 0 || percentile > 100)
        {
            throw new FormatException($"SLO '{text}': '{name}' is not a percentile (p50, p95, p99, p99.9 or max)");
        }

        return new LatencyThreshold(phase, percentile, ParseDuration(rest[(equals + 1)..].Trim(), $"SLO '{text}'"));
    }

    /// <summary>Parses a duration such as <c>500ms</c>, <c>2s</c>, <c>250us</c>, <c>1m</c> (a bare number is milliseconds).</summary>
    /// <exception cref="FormatException">Not a duration; the message names the text.</exception>
    public static TimeSpan ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ParseDuration(text.Trim(), $"duration '{text}'");
    }

    private static TimeSpan ParseDuration(string value, string context)
    {
        var split = 0;
        while (split < value.Length && (char.IsDigit(value[split]) || value[split] == '.'))
        {
            split++;
        }

        if (split == 0 || !double.TryParse(value[..split], NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            throw new FormatException($"{context}: '{value}' is not a duration like 500ms or 2s");
        }

        var nanoseconds = value[split..].Trim().ToLowerInvariant() switch
        {
            "ns" => number,
            "us" or "µs" => number * 1e3,
            "ms" or "" => number * 1e6,
            "s" => number * 1e9,
            "m" or "min" => number * 60e9,
            var unit => throw new FormatException($"{context}: unknown duration unit '{unit}' (ns, us, ms, s, m)"),
        };
        return TimeSpan.FromTicks((long)(nanoseconds / 100));
    }
}
