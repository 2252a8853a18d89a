using System.Globalization;
using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>
/// Reconnect pacing, judged from the connection attempts the harness observed (<c>f = "connect"</c>: the client asked
/// the harness's token provider for a token, which it does once per attempt), never from the client's own count of
/// its reconnects. Each incarnation of each device's app is read on its own: a run of
/// <see cref="ReconnectEnvelope.StormRun"/> gaps in a row, each shorter than <see cref="ReconnectEnvelope.Floor"/>, is
/// one <c>reconnect-storm</c> — a client hammering a server that is down instead of backing off (found by the mutation
/// score: a backoff counted down passed every other rule). docs/checkers.md, "Reconnect pacing".
/// </summary>
public sealed class ReconnectCheck : ICheck
{
    private readonly ReconnectEnvelope _envelope;

    /// <summary>Checks against <paramref name="envelope"/> (default: attempts counted, pacing not judged).</summary>
    public ReconnectCheck(ReconnectEnvelope? envelope = null)
    {
        _envelope = envelope ?? new ReconnectEnvelope();
        _envelope.Validate();
    }

    /// <inheritdoc/>
    public string Name => "reconnects";

    /// <inheritdoc/>
    public CheckResult Check(IReadOnlyList<HistoryEvent> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var result = new CheckResultBuilder();
        var clients = new Dictionary<(string Process, int Client), List<(long Time, long Index)>>();
        long attempts = 0;
        foreach (var e in history)
        {
            if (e.Op is ConnectValue connect && e.Type != HistoryEventType.Fail)
            {
                attempts++;
                var key = (e.Process, connect.Client);
                if (!clients.TryGetValue(key, out var list))
                {
                    clients[key] = list = [];
                }

                list.Add((e.Time, e.Index));
            }
        }

        long reconnects = 0, shortGaps = 0;
        var floorNs = _envelope.Floor is { } floor ? (long)floor.TotalNanoseconds : (long?)null;
        foreach (var ((process, client), list) in clients)
        {
            reconnects += list.Count - 1;
            if (floorNs is not { } minimum)
            {
                continue;
            }

            var run = 0;
            for (var k = 1; k <= list.Count; k++)
            {
                var isShort = k < list.Count && list[k].Time - list[k - 1].Time < minimum;
                if (isShort)
                {
                    shortGaps++;
                    run++;
                    continue;
                }

                if (run >= _envelope.StormRun)
                {
                    var (first, last, gaps) = (list[k - 1 - run], list[k - 1], run);
                    var longest = Enumerable.Range(k - run, run).Max(i => list[i].Time - list[i - 1].Time);
                    result.Add(AnomalyNames.ReconnectStorm, () => new AnomalyExample(
                        [first.Index, last.Index],
                        string.Create(CultureInfo.InvariantCulture,
                            $"{process} (app incarnation {client}) made {gaps + 1} connection attempts in {Ms(last.Time - first.Time)}, each at most {Ms(longest)} after the one before; the client's backoff waits at least {Ms(minimum)}")));
                }

                run = 0;
            }
        }

        result.Count("connect-attempts", attempts);
        result.Count("reconnect-attempts", reconnects);
        if (floorNs is not null)
        {
            result.Count("reconnect-gaps-short", shortGaps);
        }

        return result.Build();
    }

    private static string Ms(long ns) => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e6:0.#} ms");
}
