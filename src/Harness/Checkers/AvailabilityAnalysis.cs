using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>
/// What the steady phase asked of the system and how it answered (docs/checkers.md, "Availability outside faults"):
/// every attempt of a client request — a <c>send</c> or a <c>submit</c>, paired invoke to completion per process as
/// Jepsen pairs them — whose invoke and completion both fall outside the ramp and the fault phase, counted by kind and
/// outcome. Counted from the harness's own invoke and completion events; an invoke never completed (the load stopped
/// waiting) is not counted. Built once per history and shared by <see cref="AvailabilityCheck"/> and the exercise check.
/// </summary>
internal sealed class AvailabilityAnalysis
{
    /// <summary>How many turned-away attempts of each kind are kept as evidence.</summary>
    public const int EvidenceKept = 3;

    /// <summary>A send with a conversation.</summary>
    public const string ChatSends = "chat send";

    /// <summary>A send without a conversation.</summary>
    public const string NotificationSends = "notification send";

    /// <summary>A job submit.</summary>
    public const string JobSubmits = "job submit";

    private AvailabilityAnalysis(IReadOnlyList<KindTally> kinds) => Kinds = kinds;

    /// <summary>Each kind with at least one steady-phase attempt, in the order <see cref="ChatSends"/>,
    /// <see cref="NotificationSends"/>, <see cref="JobSubmits"/>.</summary>
    public IReadOnlyList<KindTally> Kinds { get; }

    /// <summary>Steady-phase attempts of every kind.</summary>
    public long Attempts => Kinds.Sum(k => k.Attempts);

    /// <summary>The analysis of <paramref name="history"/>, built once per history.</summary>
    public static AvailabilityAnalysis For(IReadOnlyList<HistoryEvent> history) => HistoryCache<AvailabilityAnalysis>.Get(history, Analyze);

    private static AvailabilityAnalysis Analyze(IReadOnlyList<HistoryEvent> history)
    {
        var timeline = LatencyAnalysis.For(history).Timeline;
        var tallies = new Dictionary<string, KindTally>(StringComparer.Ordinal);
        var open = new Dictionary<string, (string Kind, HistoryEvent Invoke)>(StringComparer.Ordinal);
        foreach (var e in history)
        {
            var kind = e.Op switch
            {
                SendValue { Conversation: not null } => ChatSends,
                SendValue => NotificationSends,
                SubmitValue => JobSubmits,
                _ => null,
            };
            if (kind is null)
            {
                continue;
            }

            if (e.Type == HistoryEventType.Invoke)
            {
                open[e.Process] = (kind, e); // an invoke over an open one: the earlier attempt never completed
                continue;
            }

            if (!open.Remove(e.Process, out var started) || !IsSteady(timeline, started.Invoke.Time) || !IsSteady(timeline, e.Time))
            {
                continue;
            }

            if (!tallies.TryGetValue(started.Kind, out var tally))
            {
                tallies[started.Kind] = tally = new KindTally(started.Kind);
            }

            tally.Attempts++;
            if (e.Type == HistoryEventType.Ok)
            {
                continue;
            }

            if (e.Type == HistoryEventType.Fail)
            {
                tally.Refused++;
            }
            else
            {
                tally.Unanswered++;
            }

            if (tally.Evidence.Count < EvidenceKept * 2)
            {
                tally.Evidence.Add(started.Invoke.Index);
                tally.Evidence.Add(e.Index);
            }
        }

        return new AvailabilityAnalysis([.. new[] { ChatSends, NotificationSends, JobSubmits }.Select(tallies.GetValueOrDefault).OfType<KindTally>()]);
    }

    private static bool IsSteady(PhaseTimeline timeline, long time) => !timeline.IsFault(time) && !timeline.IsRamp(time);

    /// <summary>One kind's steady-phase attempts.</summary>
    public sealed class KindTally(string kind)
    {
        /// <summary><see cref="ChatSends"/>, <see cref="NotificationSends"/> or <see cref="JobSubmits"/>.</summary>
        public string Kind { get; } = kind;

        /// <summary>Attempts completed in the steady phase.</summary>
        public long Attempts { get; set; }

        /// <summary>Of them, ended fail: the system said no.</summary>
        public long Refused { get; set; }

        /// <summary>Of them, ended info: no answer the harness could read (a timeout, a dropped connection).</summary>
        public long Unanswered { get; set; }

        /// <summary>Invoke and completion indices of the first turned-away attempts.</summary>
        public List<long> Evidence { get; } = [];

        /// <summary>Attempts that ended fail or info.</summary>
        public long TurnedAway => Refused + Unanswered;
    }
}
