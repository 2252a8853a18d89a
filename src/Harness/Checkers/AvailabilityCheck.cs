using System.Globalization;
using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>
/// Availability outside faults (docs/checkers.md): while no fault is active, the system accepts what its clients ask.
/// A kind of request (<see cref="AvailabilityAnalysis"/>: chat sends, notification sends, job submits) is
/// <c>unavailable</c> when at least <see cref="AvailabilityBudget.MinRefused"/> of its steady-phase attempts and more
/// than <see cref="AvailabilityBudget.MaxRefusedFraction"/> of them ended fail or info. The safety promises hold
/// trivially for a request the system turns away, so without this rule a system that refused every chat send in
/// steady state passed (found by the mutation score: an api whose send route moved answered 404 to all of them). In a
/// run whose harness was overloaded, a breach that only the unanswered attempts make is undecided: a timeout may be
/// the harness's own. It also judges whether the system came back (<c>node-down</c>): a node with a
/// <see cref="HistoryOps.NodeDown"/> event — a restart it could not start, or down once the faults were healed and the
/// drain done (docs/checkers.md, "node-down").
/// </summary>
public sealed class AvailabilityCheck : ICheck
{
    /// <summary>This checker's name in results.json's <c>checks</c>.</summary>
    public const string CheckName = "availability";

    private readonly AvailabilityBudget _budget;

    /// <summary>Checks against <paramref name="budget"/> (default 1 %, at least 3).</summary>
    public AvailabilityCheck(AvailabilityBudget? budget = null)
    {
        _budget = budget ?? new AvailabilityBudget();
        _budget.Validate();
    }

    /// <inheritdoc/>
    public string Name => CheckName;

    /// <inheritdoc/>
    public CheckResult Check(IReadOnlyList<HistoryEvent> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var analysis = AvailabilityAnalysis.For(history);
        var result = new CheckResultBuilder();
        var overloaded = history.FirstOrDefault(e => e.F == HistoryOps.Overloaded);
        foreach (var kind in analysis.Kinds)
        {
            if (!Breaches(kind.TurnedAway, kind.Attempts))
            {
                continue;
            }

            var detail = string.Create(CultureInfo.InvariantCulture,
                $"steady phase, no fault active: {kind.TurnedAway} of {kind.Attempts} {kind.Kind} attempts turned away ({kind.Refused} refused, {kind.Unanswered} unanswered), " +
                $"over the budget of {_budget.MaxRefusedFraction:0.###%} (events: the first turned-away attempts, invoke and completion)");
            if (overloaded is not null && !Breaches(kind.Refused, kind.Attempts))
            {
                var why = (overloaded.Op as MarkerValue)?.Detail ?? "the harness could not keep its schedule";
                result.Unknown($"{detail}; but the harness was overloaded (event {overloaded.Index}: {why}) and the unanswered ones may be its own");
                continue;
            }

            result.Add(AnomalyNames.Unavailable, () => new AnomalyExample([.. kind.Evidence], detail));
        }

        // a node that could not start again (a restart's new incarnation exited or never became ready: Runs/Nemesis), or
        // was down once the faults were healed and the work drained (Runs/NodeRecovery): the system's failure to come
        // back, not the run's. One anomaly per node, its every such event as evidence.
        var down = history.Where(e => e.F == HistoryOps.NodeDown && e.Op is MarkerValue)
            .GroupBy(e => ((MarkerValue)e.Op!).Target ?? "a node", StringComparer.Ordinal)
            .ToList();
        foreach (var node in down)
        {
            var events = node.ToList();
            result.Add(AnomalyNames.NodeDown, () => new AnomalyExample(
                [.. events.Take(CheckResultBuilder.MaxExamples).Select(e => e.Index)],
                $"{node.Key} did not come back: {string.Join("; then ", events.Select(e => ((MarkerValue)e.Op!).Detail))}"));
        }

        result.Count("nodes-down", down.Count);
        foreach (var kind in analysis.Kinds)
        {
            var key = kind.Kind.Replace(' ', '-');
            result.Count($"steady-{key}-attempts", kind.Attempts);
            result.Count($"steady-{key}-refused", kind.Refused);
            result.Count($"steady-{key}-unanswered", kind.Unanswered);
        }

        return result.Build();
    }

    private bool Breaches(long turnedAway, long attempts) =>
        turnedAway >= _budget.MinRefused && turnedAway > _budget.MaxRefusedFraction * attempts;
}
