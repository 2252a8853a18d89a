using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>
/// "The gate never passes on nothing": reports for every promise whether the history exercised it
/// (<see cref="CheckResult.Exercise"/>), and answers unknown for each promise the scenario requires that was not
/// exercised — a history that observed nothing for a promise cannot hold it. The rules are in docs/checkers.md
/// ("When a promise is exercised").
/// </summary>
public sealed class ExerciseCheck : ICheck
{
    /// <summary>This checker's name in results.json's <c>checks</c>.</summary>
    public const string CheckName = "exercise";

    private readonly HashSet<string> _required;
    private readonly IReadOnlyList<LatencyThreshold> _slos;

    /// <summary>Requires <paramref name="required"/> (names of <see cref="PromiseNames"/>); <paramref name="slos"/> are
    /// the latency thresholds whose phases must have deliveries.</summary>
    /// <exception cref="ArgumentException">A required name is not a promise.</exception>
    public ExerciseCheck(IEnumerable<string> required, IReadOnlyList<LatencyThreshold>? slos = null)
    {
        ArgumentNullException.ThrowIfNull(required);
        _required = new HashSet<string>(required, StringComparer.Ordinal);
        foreach (var name in _required)
        {
            if (!PromiseNames.IsKnown(name))
            {
                throw new ArgumentException($"required promise '{name}' is not a promise (known: {string.Join(", ", PromiseNames.All)})", nameof(required));
            }
        }

        _slos = slos ?? [];
    }

    /// <inheritdoc/>
    public string Name => CheckName;

    /// <inheritdoc/>
    public CheckResult Check(IReadOnlyList<HistoryEvent> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var result = new CheckResultBuilder();
        var exercise = new Dictionary<string, PromiseExercise>(StringComparer.Ordinal);
        foreach (var (promise, exercised, detail) in ExerciseAnalysis.Analyze(history, _slos))
        {
            var required = _required.Contains(promise);
            exercise[promise] = new PromiseExercise(promise, exercised, required, detail);
            if (required && !exercised)
            {
                result.Unknown($"required promise {promise} was not exercised: {detail}");
            }
        }

        return result.Build() with { Exercise = exercise };
    }
}
