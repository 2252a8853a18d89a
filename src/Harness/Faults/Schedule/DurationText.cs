using System.Globalization;
using System.Text;

namespace Chaos.Harness.Faults.Schedule;

/// <summary>
/// Durations as people write them in incident files and as schedule.json stores them: one or more
/// number-unit parts with units in descending order, each at most once — <c>500ms</c>, <c>10s</c>,
/// <c>1m30s</c>, <c>1.5s</c>, <c>2h</c>, <c>250us</c>. Invariant culture; no sign, no spaces.
/// </summary>
public static class DurationText
{
    private static readonly (string Unit, long Ticks)[] Units =
    [
        ("h", TimeSpan.TicksPerHour),
        ("m", TimeSpan.TicksPerMinute),
        ("s", TimeSpan.TicksPerSecond),
        ("ms", TimeSpan.TicksPerMillisecond),
        ("us", TimeSpan.TicksPerMicrosecond),
    ];

    /// <summary>Parses a duration, or returns false (with <paramref name="error"/> saying why).</summary>
    public static bool TryParse(string? text, out TimeSpan value, out string error)
    {
        value = TimeSpan.Zero;
        error = string.Empty;
        if (string.IsNullOrEmpty(text))
        {
            error = "a duration is required, e.g. 500ms, 10s or 1m30s";
            return false;
        }

        if (text == "0")
        {
            return true;
        }

        decimal ticks = 0;
        var position = 0;
        var lastUnit = -1;
        while (position < text.Length)
        {
            var start = position;
            while (position < text.Length && (char.IsAsciiDigit(text[position]) || text[position] == '.'))
            {
                position++;
            }

            if (position == start || !decimal.TryParse(text.AsSpan(start, position - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                error = $"'{text}' is not a duration: expected a number at position {start + 1} (e.g. 500ms, 10s, 1m30s)";
                return false;
            }

            var unitStart = position;
            while (position < text.Length && char.IsAsciiLetter(text[position]))
            {
                position++;
            }

            var unit = text[unitStart..position];
            var index = Array.FindIndex(Units, u => u.Unit == unit);
            if (index < 0)
            {
                error = unit.Length == 0
                    ? $"'{text}' is not a duration: '{text[start..position]}' has no unit (use h, m, s, ms or us, e.g. 10s)"
                    : $"'{text}' is not a duration: unknown unit '{unit}' (use h, m, s, ms or us)";
                return false;
            }

            if (index <= lastUnit)
            {
                error = $"'{text}' is not a duration: units must go from largest to smallest, each once (e.g. 1m30s)";
                return false;
            }

            lastUnit = index;
            if (number > TimeSpan.MaxValue.Ticks / (decimal)Units[index].Ticks)
            {
                // checked before multiplying: a decimal holds 28 digits, and 10^27 hours would overflow it
                error = $"'{text}' is too long a duration";
                return false;
            }

            ticks += number * Units[index].Ticks;
        }

        if (ticks > TimeSpan.MaxValue.Ticks)
        {
            error = $"'{text}' is too long a duration";
            return false;
        }

        value = TimeSpan.FromTicks((long)decimal.Round(ticks));
        return true;
    }

    /// <summary>Parses a duration or throws a <see cref="FormatException"/> saying why.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out var value, out var error) ? value : throw new FormatException(error);

    /// <summary>The canonical text of a duration: its non-zero parts, largest first (<c>1m30s500ms</c>; zero is <c>0s</c>).</summary>
    public static string Format(TimeSpan value)
    {
        if (value < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "Durations are never negative.");
        }

        if (value == TimeSpan.Zero)
        {
            return "0s";
        }

        var builder = new StringBuilder();
        var remaining = value.Ticks;
        foreach (var (unit, ticks) in Units.AsSpan(0, Units.Length - 1))
        {
            var count = remaining / ticks;
            if (count > 0)
            {
                builder.Append(count.ToString(CultureInfo.InvariantCulture)).Append(unit);
                remaining -= count * ticks;
            }
        }

        if (remaining > 0)
        {
            // Below a millisecond: microseconds, with a decimal for the 100 ns ticks, so nothing is lost.
            builder.Append((remaining / (decimal)TimeSpan.TicksPerMicrosecond).ToString("0.#", CultureInfo.InvariantCulture)).Append("us");
        }

        return builder.ToString();
    }
}
