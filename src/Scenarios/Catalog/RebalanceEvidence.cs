using System.Globalization;

namespace Chaos.Scenarios.Catalog;

/// <summary>
/// What a kafka-rebalance run observed, read from the nemesis records and the roles' /metrics after the fault phase.
/// <see cref="Explain"/> is the took-effect verdict: null when the group really rebalanced, else what did not happen.
/// </summary>
internal sealed record RebalanceEvidence
{
    public bool ScaleOutHeld { get; init; }

    /// <summary>The most partition assignments any notifier that ran through the phase received (1 = never rebalanced).</summary>
    public long NotifierAssignments { get; init; }

    /// <summary>Whether a jobs instance was scaled in, and the most assignments a jobs instance then received.</summary>
    public bool JobsScaleInHeld { get; init; }

    public long JobsAssignments { get; init; }

    /// <summary>Whether a zombie was scheduled; how long it was frozen; what it saw when it woke.</summary>
    public bool ZombieScheduled { get; init; }

    public TimeSpan? ZombieFrozenFor { get; init; }

    /// <summary>How often the zombie found its partitions lost (evicted from the group).</summary>
    public long ZombieLost { get; init; }

    /// <summary>The zombie's assignment count just before it froze, and after the phase (null: not read).</summary>
    public long? ZombieAssignmentsBefore { get; init; }

    public long? ZombieAssignmentsAfter { get; init; }

    /// <summary>
    /// The assignments the zombie's group mates had received when it froze and just before it was thawed (null: not
    /// read). More at the thaw is the group seen rebalancing without it while it was frozen.
    /// </summary>
    public long? OthersAssignmentsAtFreeze { get; init; }

    public long? OthersAssignmentsAtThaw { get; init; }

    public TimeSpan SessionTimeout { get; init; }

    /// <summary>The zombie consumer, for the history: who was frozen how long, and what the group did meanwhile.</summary>
    public string? DescribeZombie(string? target)
    {
        if (!ZombieScheduled)
        {
            return null;
        }

        var before = ZombieAssignmentsBefore?.ToString(CultureInfo.InvariantCulture) ?? "?";
        var after = ZombieAssignmentsAfter?.ToString(CultureInfo.InvariantCulture) ?? "?";
        var evicted = ZombieLost >= 1 || ZombieAssignmentsAfter > ZombieAssignmentsBefore
            ? "evicted while frozen, the group rebalanced without it"
            : "NOT evicted (the group did not rebalance without it)";
        var meanwhile = OthersAssignmentsAtThaw > OthersAssignmentsAtFreeze
            ? $"its group mates were assigned partitions while it was frozen ({OthersAssignmentsAtFreeze} → {OthersAssignmentsAtThaw}: seen rebalancing without it)"
            : $"its group mates' assignments went {OthersAssignmentsAtFreeze?.ToString(CultureInfo.InvariantCulture) ?? "?"} → {OthersAssignmentsAtThaw?.ToString(CultureInfo.InvariantCulture) ?? "?"} while it was frozen (the rebalance without it was not over before the thaw)";
        return string.Create(CultureInfo.InvariantCulture,
            $"zombie consumer {target}: frozen {ZombieFrozenFor?.TotalSeconds ?? 0:0.0}s (session timeout {SessionTimeout.TotalSeconds:0.0}s); {meanwhile}; on waking its partitions were lost ×{ZombieLost}, its assignments went {before} → {after}: {evicted}; a notifier that ran through reached {NotifierAssignments} assignments");
    }

    public string? Explain()
    {
        var missing = new List<string>();
        if (!ScaleOutHeld)
        {
            missing.Add("the notifier group was never scaled out");
        }

        if (NotifierAssignments < 2)
        {
            missing.Add($"no notifier's assignment changed (at most {NotifierAssignments} assignment per instance: no rebalance happened)");
        }

        if (JobsScaleInHeld && JobsAssignments < 2)
        {
            missing.Add("a jobs instance was stopped but no other jobs instance was reassigned its partitions");
        }

        if (ZombieScheduled)
        {
            if (ZombieFrozenFor is not { } frozen || frozen < SessionTimeout)
            {
                missing.Add($"the zombie consumer was frozen {ZombieFrozenFor?.TotalSeconds ?? 0:0.0}s, not past the {SessionTimeout.TotalSeconds:0.0}s session timeout");
            }
            else if (ZombieLost < 1 && !(ZombieAssignmentsAfter > ZombieAssignmentsBefore))
            {
                // evicted while frozen, the zombie must either report its partitions lost or be assigned anew after waking
                missing.Add($"the zombie consumer woke up and was neither told it lost its partitions nor reassigned (assignments {ZombieAssignmentsBefore?.ToString(CultureInfo.InvariantCulture) ?? "?"} before, {ZombieAssignmentsAfter?.ToString(CultureInfo.InvariantCulture) ?? "?"} after)");
            }
        }

        return missing.Count == 0 ? null : string.Join("; ", missing);
    }
}
