using System.Globalization;

namespace Chaos.Harness.Faults.Failpoints;

/// <summary>
/// One failpoint to arm: the named point, the action, and when it fires — on the <see cref="Hit"/>th hit only, with a
/// seeded <see cref="Probability"/> per hit (the role's seed), or on every hit when neither is given.
/// </summary>
public sealed record FailpointSettings
{
    /// <summary>The failpoints the reference system has (src/Reference.System/Server/Faults/FailpointSpec.cs).</summary>
    public static IReadOnlyList<string> KnownPoints { get; } =
    [
        "api.after-persist-before-publish", "api.before-persist", "notifier.after-effect-before-commit",
        "notifier.mid-batch", "gateway.after-push-before-ack", "jobs.after-effect-before-commit",
    ];

    public required string Point { get; init; }

    public FailpointAction Action { get; init; } = FailpointAction.Crash;

    /// <summary>Fire on this hit only (1-based, counted from arming); null: see <see cref="Probability"/>.</summary>
    public int? Hit { get; init; }

    /// <summary>Fire on each hit with this probability (0..1), drawn from the role's seed.</summary>
    public double? Probability { get; init; }

    /// <summary>How long the delay action waits.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>The reference system's spec text: <c>name=action[:ms][@N|%P]</c>.</summary>
    public string Spec
    {
        get
        {
            var text = Point + "=" + Action.ToString().ToLowerInvariant();
            if (Action == FailpointAction.Delay)
            {
                text += ":" + ((long)Delay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            }

            if (Hit is { } n)
            {
                text += "@" + n.ToString(CultureInfo.InvariantCulture);
            }
            else if (Probability is { } p)
            {
                text += "%" + p.ToString("R", CultureInfo.InvariantCulture);
            }

            return text;
        }
    }

    /// <summary>
    /// Reads a schedule entry's parameters: <c>point</c> (required), <c>action</c> (crash|delay|throw, default crash),
    /// <c>hit</c> (N ≥ 1) or <c>probability</c> (0..1), <c>delay</c> (a duration, for the delay action).
    /// Throws an <see cref="ArgumentException"/> naming the bad parameter.
    /// </summary>
    public static FailpointSettings FromParameters(IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        string[] known = ["point", "action", "hit", "probability", "delay"];
        if (parameters.Keys.FirstOrDefault(k => !known.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            throw new ArgumentException($"parameters.{unknown}: unknown failpoint parameter (known: {string.Join(", ", known)})", nameof(parameters));
        }

        if (!parameters.TryGetValue("point", out var point) || !KnownPoints.Contains(point, StringComparer.Ordinal))
        {
            throw new ArgumentException($"parameters.point: '{point}' is not a failpoint of the reference system (known: {string.Join(", ", KnownPoints)})", nameof(parameters));
        }

        var action = FailpointAction.Crash;
        if (parameters.TryGetValue("action", out var actionText)
            && (!Enum.TryParse(actionText, ignoreCase: true, out action) || !Enum.IsDefined(action) || actionText.Any(char.IsDigit)))
        {
            throw new ArgumentException($"parameters.action: '{actionText}' is not crash, delay or throw", nameof(parameters));
        }

        int? hit = null;
        if (parameters.TryGetValue("hit", out var hitText))
        {
            hit = int.TryParse(hitText, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1
                ? n
                : throw new ArgumentException($"parameters.hit: '{hitText}' is not a hit number ≥ 1", nameof(parameters));
        }

        double? probability = null;
        if (parameters.TryGetValue("probability", out var pText))
        {
            probability = double.TryParse(pText, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 1
                ? p
                : throw new ArgumentException($"parameters.probability: '{pText}' is not a probability in 0..1", nameof(parameters));
        }

        if (hit is not null && probability is not null)
        {
            throw new ArgumentException("parameters.probability: give hit or probability, not both", nameof(parameters));
        }

        var delay = TimeSpan.Zero;
        if (parameters.TryGetValue("delay", out var delayText)
            && (!Schedule.DurationText.TryParse(delayText, out delay, out _) || delay < TimeSpan.Zero))
        {
            throw new ArgumentException($"parameters.delay: '{delayText}' is not a duration (e.g. 500ms)", nameof(parameters));
        }

        return new FailpointSettings { Point = point, Action = action, Hit = hit, Probability = probability, Delay = delay };
    }
}
