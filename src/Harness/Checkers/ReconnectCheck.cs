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
/// <para>The same pause is <b>late</b> when it passes <see cref="ReconnectEnvelope.Ceiling"/> for its place k among the
/// attempts since the client last connected (counted by the harness, not told by the client): a correct client pauses
/// at most <c>min(MaxDelay, MinDelay × Multiplier^k)</c>. A fault on that device near it (<c>sleep</c>,
/// <c>network-switch</c>, <c>app-kill</c>, targeting the device's process name: a suspended app makes no attempt) excuses it; otherwise the client's worst late pause is one
/// <c>reconnect-late</c> — a backoff or jitter that stretches the pauses keeps devices away longer than they must be
/// (found by the mutation score: jitter that multiplied pauses by up to 2.5 broke no other rule).</para>
/// </summary>
public sealed class ReconnectCheck : ICheck
{
    /// <summary>A device's own faults: a suspended app makes no attempt, a switched network or a killed app reconnects on
    /// its own schedule — one near a pause of the device it targets (its process name, <c>u3/d1</c>) excuses the pause
    /// from the late rule; other devices' pauses stay judged.</summary>
    private static readonly HashSet<string> DeviceFaults = new(StringComparer.Ordinal) { "sleep", "network-switch", "app-kill" };

    private static readonly long ExcuseBefore = (long)TimeSpan.FromSeconds(1).TotalNanoseconds;
    private static readonly long ExcuseAfter = (long)TimeSpan.FromSeconds(2).TotalNanoseconds;

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
        // the clients' timers run in the harness: when it could not keep its own schedule, a late pause may be its own
        var overloaded = history.FirstOrDefault(e => e.F == HistoryOps.Overloaded);
        var clients = new Dictionary<(string Process, int Client), ClientPacing>();
        var floorNs = _envelope.Floor is { } floor ? (long)floor.TotalNanoseconds : (long?)null;
        var judgeLate = _envelope.Ceiling(0) is not null;
        var excusing = judgeLate
            ? [.. LatencyAnalysis.For(history).Timeline.FaultWindows.Where(w => DeviceFaults.Contains(w.Fault))]
            : new List<FaultWindow>();
        long attempts = 0, reconnects = 0, shortPauses = 0, judged = 0, excused = 0;
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

                        if (_envelope.Ceiling(pacing.SinceConnected) is { } ceiling)
                        {
                            if (excusing.Any(w => (w.Target is null || w.Target == e.Process) && w.Start - ExcuseBefore <= e.Time && w.End + ExcuseAfter >= from))
                            {
                                excused++;
                            }
                            else
                            {
                                judged++;
                                var pauseNs = e.Time - from;
                                var ceilingNs = ceiling.Ticks > long.MaxValue / TimeSpan.NanosecondsPerTick ? long.MaxValue : ceiling.Ticks * TimeSpan.NanosecondsPerTick;
                                if (pauseNs > ceilingNs && (pacing.Late is null || pauseNs - ceilingNs > pacing.Late.Value.Over))
                                {
                                    pacing.Late = (pauseNs - ceilingNs, pauseNs, pacing.SinceConnected, pacing.LastStart?.Index ?? -1, e.Index);
                                }
                            }
                        }

                    }

                    pacing.SinceConnected++;
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
                    pacing.SinceConnected = 0;
                    break;
            }
        }

        foreach (var (key, pacing) in clients)
        {
            EndRun(pacing, key, result);
            ReportLate(pacing, key, result, overloaded);
        }

        result.Count("connect-attempts", attempts);
        result.Count("reconnect-attempts", reconnects);
        if (floorNs is not null)
        {
            result.Count("reconnect-pauses-short", shortPauses);
        }

        if (judgeLate)
        {
            result.Count("reconnect-pauses-judged-late", judged);
            result.Count("reconnect-pauses-excused-by-fault", excused);
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

    /// <summary>One reconnect-late per client incarnation: its pause that passed the ceiling by the most. In a run whose
    /// harness was overloaded (<paramref name="overloaded"/>) it is undecided instead: the client's timers are the
    /// harness's, and a harness that started its sends late may have woken them late too.</summary>
    private void ReportLate(ClientPacing pacing, (string Process, int Client) key, CheckResultBuilder result, HistoryEvent? overloaded)
    {
        if (pacing.Late is not { } late)
        {
            return;
        }

        var ceiling = _envelope.Ceiling(late.K)!.Value;
        var detail = string.Create(CultureInfo.InvariantCulture,
            $"{key.Process} (app incarnation {key.Client}) began connection attempt {late.K + 1} since it last connected {Ms(late.PauseNs)} after its previous attempt began or failed; the client's backoff pauses at most {Ms((long)(ceiling - _envelope.LateTolerance).TotalNanoseconds)} before it (+{Ms((long)_envelope.LateTolerance.TotalNanoseconds)} tolerance), and no device fault was near");
        if (overloaded is not null)
        {
            var why = (overloaded.Op as MarkerValue)?.Detail ?? "the harness could not keep its schedule";
            result.Unknown($"{detail}; but the harness was overloaded (event {overloaded.Index}: {why}) and the late pause may be its own");
            return;
        }

        result.Add(AnomalyNames.ReconnectLate, () => new AnomalyExample(late.Previous >= 0 ? [late.Previous, late.Index] : [late.Index], detail));
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

        /// <summary>Attempts begun since the client last connected (or since its first attempt).</summary>
        public int SinceConnected { get; set; }

        /// <summary>The pause that passed its ceiling by the most: by how much, how long, its place, the previous attempt's
        /// event and its own.</summary>
        public (long Over, long PauseNs, int K, long Previous, long Index)? Late { get; set; }
    }
}
