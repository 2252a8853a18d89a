using System.Globalization;
using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>
/// Reconnect pacing (docs/checkers.md, "Reconnect pacing"), per device and incarnation of its app: each connection
/// attempt (a <c>connect</c> invoke — observed by the harness, whose token provider the client asks once per attempt)
/// is measured from the later of the previous attempt's start and the client's last report that it was not connected
/// (a <c>connect</c> fail: a dropped connection or a failed attempt). That pause is **short** when it is under
/// <see cref="ReconnectEnvelope.Floor"/>: a correct client sleeps at least that long before every attempt, however its
/// last one ended. <see cref="ReconnectEnvelope.StormRun"/> short pauses in a row, with no connection made between
/// them, are one <c>reconnect-storm</c> — a client hammering a server that is down instead of backing off (found by
/// the mutation score: a backoff counted down passed every other rule). Without the client's reports the pause is
/// measured from the previous attempt's start alone, which still sees a client whose attempts fail fast.
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
        var clients = new Dictionary<(string Process, int Client), ClientPacing>();
        var floorNs = _envelope.Floor is { } floor ? (long)floor.TotalNanoseconds : (long?)null;
        long attempts = 0, reconnects = 0, shortPauses = 0;
        foreach (var e in history)
        {
            if (e.Op is not ConnectValue connect)
            {
                continue;
            }

            var key = (e.Process, connect.Client);
            if (!clients.TryGetValue(key, out var pacing))
            {
                clients[key] = pacing = new ClientPacing();
            }

            switch (e.Type)
            {
                case HistoryEventType.Invoke:
                    attempts++;
                    if (pacing.Attempts++ > 0)
                    {
                        reconnects++;
                    }

                    if (Later(pacing.LastStart?.Time, pacing.LastFail) is { } from)
                    {
                        if (floorNs is { } minimum && e.Time - from < minimum)
                        {
                            shortPauses++;
                            pacing.Run.Add((e.Time - from, e.Index));
                        }
                        else
                        {
                            EndRun(pacing, key, result);
                        }
                    }

                    pacing.LastStart = (e.Time, e.Index);
                    break;
                case HistoryEventType.Fail:
                    pacing.LastFail = e.Time;
                    break;
                case HistoryEventType.Ok:
                    // a connection made: the run of short pauses ends, and the next attempt (after the next drop) starts anew
                    EndRun(pacing, key, result);
                    pacing.LastStart = null;
                    pacing.LastFail = null;
                    break;
            }
        }

        foreach (var (key, pacing) in clients)
        {
            EndRun(pacing, key, result);
        }

        result.Count("connect-attempts", attempts);
        result.Count("reconnect-attempts", reconnects);
        if (floorNs is not null)
        {
            result.Count("reconnect-pauses-short", shortPauses);
        }

        return result.Build();
    }

    private void EndRun(ClientPacing pacing, (string Process, int Client) key, CheckResultBuilder result)
    {
        if (pacing.Run.Count >= _envelope.StormRun)
        {
            var run = pacing.Run.ToList();
            var floorNs = (long)_envelope.Floor!.Value.TotalNanoseconds;
            result.Add(AnomalyNames.ReconnectStorm, () => new AnomalyExample(
                [run[0].Index, run[^1].Index],
                string.Create(CultureInfo.InvariantCulture,
                    $"{key.Process} (app incarnation {key.Client}) began {run.Count} connection attempts in a row, each at most {Ms(run.Max(r => r.PauseNs))} after its previous attempt began or failed; the client's backoff pauses at least {Ms(floorNs)}")));
        }

        pacing.Run.Clear();
    }

    private static long? Later(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static string Ms(long ns) => string.Create(CultureInfo.InvariantCulture, $"{ns / 1e6:0.#} ms");

    /// <summary>One client's attempts so far: how many, the last one's start and the client's last report of not being
    /// connected since its last connection, and the current run of short pauses.</summary>
    private sealed class ClientPacing
    {
        public int Attempts { get; set; }

        public (long Time, long Index)? LastStart { get; set; }

        public long? LastFail { get; set; }

        public List<(long PauseNs, long Index)> Run { get; } = [];
    }
}
