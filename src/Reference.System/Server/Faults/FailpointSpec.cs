using System.Globalization;

namespace Chaos.Reference.Faults;

/// <summary>
/// <c>name=action[:ms][@N|%P]</c>: action crash|delay|throw; <c>@N</c> fires on the Nth hit only (1-based),
/// <c>@N+</c> on the Nth and every later hit, <c>%P</c> with probability P (0..1, from the process seed); default every hit.
/// </summary>
internal sealed record FailpointSpec(string Name, FailpointAction Action, int DelayMs, int? Nth, bool AndAfter, double? Probability)
{
    public static readonly IReadOnlyList<string> KnownNames =
    [
        "api.after-persist-before-publish", "api.before-persist", "notifier.after-effect-before-commit",
        "notifier.mid-batch", "gateway.after-push-before-ack", "jobs.after-effect-before-commit",
    ];

    public static bool TryParse(string text, out FailpointSpec spec, out string error)
    {
        spec = null!;
        error = "";
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            error = "expected name=action[:ms][@N|%P]";
            return false;
        }

        var name = text[..eq];
        if (!KnownNames.Contains(name))
        {
            error = $"unknown failpoint '{name}'; known: {string.Join(", ", KnownNames)}";
            return false;
        }

        var rest = text[(eq + 1)..];
        int? nth = null;
        var andAfter = false;
        double? probability = null;
        var at = rest.IndexOfAny(['@', '%']);
        if (at >= 0)
        {
            var trigger = rest[(at + 1)..];
            if (rest[at] == '@')
            {
                andAfter = trigger.EndsWith('+');
                if (!int.TryParse(trigger.TrimEnd('+'), CultureInfo.InvariantCulture, out var n) || n < 1)
                {
                    error = $"'@{trigger}' is not a hit number >= 1";
                    return false;
                }

                nth = n;
            }
            else
            {
                if (!double.TryParse(trigger, CultureInfo.InvariantCulture, out var p) || p is < 0 or > 1)
                {
                    error = $"'%{trigger}' is not a probability in 0..1";
                    return false;
                }

                probability = p;
            }

            rest = rest[..at];
        }

        var delay = 0;
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            if (!int.TryParse(rest[(colon + 1)..], CultureInfo.InvariantCulture, out delay) || delay < 0)
            {
                error = $"'{rest[(colon + 1)..]}' is not a delay in ms";
                return false;
            }

            rest = rest[..colon];
        }

        if (!Enum.TryParse<FailpointAction>(rest, ignoreCase: true, out var action) || !Enum.IsDefined(action))
        {
            error = $"unknown action '{rest}' (crash|delay|throw)";
            return false;
        }

        spec = new FailpointSpec(name, action, delay, nth, andAfter, probability);
        return true;
    }
}
