using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>Delivery latency and throughput rebuilt from a history alone, so <c>chaos check</c> can report offline:
/// latency = first deliver of an id at a device − the send's invoke time (its <c>intended</c> time when recorded).
/// A sample belongs to the fault phase when its send was invoked in the fault phase, to the ramp when invoked while the
/// load was still rising from cold (<see cref="PhaseTimeline"/>), and to steady state otherwise. Ramp samples count in
/// the whole run's figures only.</summary>
public sealed class LatencyAnalysis
{
    private readonly long[] _steady;
    private readonly long[] _fault;
    private readonly long[] _all;
    private readonly (long Latency, long SendIndex, long DeliverIndex)[] _slowestSteady;
    private readonly (long Latency, long SendIndex, long DeliverIndex)[] _slowestFault;

    private LatencyAnalysis(long[] steady, long[] fault, long[] all, (long, long, long)[] slowestSteady, (long, long, long)[] slowestFault)
    {
        _steady = steady;
        _fault = fault;
        _all = all;
        _slowestSteady = slowestSteady;
        _slowestFault = slowestFault;
    }

    /// <summary>How many of each phase's slowest samples are kept as evidence for an SLO breach.</summary>
    public const int SlowestKept = 50;

    /// <summary>Steady-state latency.</summary>
    public LatencySummary Steady { get; private init; } = LatencySummary.Empty;

    /// <summary>Fault-phase latency.</summary>
    public LatencySummary Fault { get; private init; } = LatencySummary.Empty;

    /// <summary>Latency of sends invoked in the ramp (load rising from cold; judged by no phase SLO).</summary>
    public LatencySummary Ramp { get; private init; } = LatencySummary.Empty;

    /// <summary>Latency over the whole run.</summary>
    public LatencySummary Overall { get; private init; } = LatencySummary.Empty;

    /// <summary>Latency percentiles and throughput per time bucket.</summary>
    public IReadOnlyList<LatencyBucket> Series { get; private init; } = [];

    /// <summary>Fault windows and phase markers, for shading.</summary>
    public PhaseTimeline Timeline { get; private init; } = null!;

    /// <summary>Time of the last event (ns since run start).</summary>
    public long Duration { get; private init; }

    /// <summary>Sends invoked (distinct ids).</summary>
    public long Sends { get; private init; }

    /// <summary>Sends acknowledged ok.</summary>
    public long SendsOk { get; private init; }

    /// <summary>Latency samples (first deliveries of an id at a device whose send is in the history).</summary>
    public long Deliveries => _all.Length;

    /// <summary>Every latency sample (ns), ramp included, sorted ascending: the report's distribution.</summary>
    internal IReadOnlyList<long> AllSorted => _all;

    /// <summary>The analysis of <paramref name="history"/> with 100 buckets, computed once per history and shared by
    /// the latency checker and the reports.</summary>
    public static LatencyAnalysis For(IReadOnlyList<HistoryEvent> history) => HistoryCache<LatencyAnalysis>.Get(history, h => Analyze(h));

    /// <summary>Analyses <paramref name="history"/>; the series has about <paramref name="buckets"/> buckets.</summary>
    public static LatencyAnalysis Analyze(IReadOnlyList<HistoryEvent> history, int buckets = 100)
    {
        ArgumentNullException.ThrowIfNull(history);
        var timeline = PhaseTimeline.Build(history);
        var sends = SendTable.For(history);
        var firsts = new DeviceMap<HashSet<string>>(_ => new HashSet<string>(StringComparer.Ordinal));
        var samples = new List<(long Time, long Latency, bool Fault, long SendIndex, long DeliverIndex)>();
        var ramp = new List<(long Time, long Latency, bool Fault, long SendIndex, long DeliverIndex)>();
        var sendTimes = new List<long>();
        var duration = 0L;
        foreach (var e in history)
        {
            duration = Math.Max(duration, e.Time);
            if (e.Op is DeliverValue d && e.F == HistoryOps.Deliver && sends.Find(d.Id) is { } send
                && firsts.Get(d.User, d.Device).Add(d.Id))
            {
                var origin = send.LatencyOrigin;
                var latency = Math.Max(0, e.Time - origin);
                if (timeline.IsRamp(origin))
                {
                    ramp.Add((e.Time, latency, false, send.FirstInvokeIndex, e.Index));
                    continue;
                }

                samples.Add((e.Time, latency, timeline.IsFault(origin), send.FirstInvokeIndex, e.Index));
            }
        }

        foreach (var send in sends.All)
        {
            sendTimes.Add(send.FirstInvokeTime);
        }

        var all = samples.Concat(ramp).Select(s => s.Latency).ToArray();
        var rampSorted = ramp.Select(s => s.Latency).ToArray();
        Array.Sort(rampSorted);
        var steady = samples.Where(s => !s.Fault).Select(s => s.Latency).ToArray();
        var fault = samples.Where(s => s.Fault).Select(s => s.Latency).ToArray();
        Array.Sort(all);
        Array.Sort(steady);
        Array.Sort(fault);

        // The slowest few of each phase (bounded), as evidence for an SLO breach of that phase; the whole run's slowest
        // are among the union of the two.
        var topSteady = new PriorityQueue<(long, long, long), long>();
        var topFault = new PriorityQueue<(long, long, long), long>();
        foreach (var s in samples)
        {
            var top = s.Fault ? topFault : topSteady;
            if (top.Count < SlowestKept)
            {
                top.Enqueue((s.Latency, s.SendIndex, s.DeliverIndex), s.Latency);
            }
            else if (s.Latency > top.Peek().Item1)
            {
                top.EnqueueDequeue((s.Latency, s.SendIndex, s.DeliverIndex), s.Latency);
            }
        }

        return new LatencyAnalysis(steady, fault, all, SlowestFirst(topSteady), SlowestFirst(topFault))
        {
            Steady = Summarise(steady),
            Fault = Summarise(fault),
            Ramp = Summarise(rampSorted),
            Overall = Summarise(all),
            Series = BuildSeries([.. samples, .. ramp], sendTimes, duration, Math.Max(1, buckets)),
            Timeline = timeline,
            Duration = duration,
            Sends = sends.Count,
            SendsOk = sends.All.LongCount(s => s.Outcome == SendOutcome.Ok),
        };
    }

    /// <summary>The <paramref name="percentile"/>th latency (ns) of a phase (steady, fault or all); null without samples.</summary>
    public long? LatencyAt(string phase, double percentile)
    {
        var sorted = Samples(phase);
        return sorted.Length == 0 ? null : PercentileOf(sorted, percentile);
    }

    /// <summary>Sample count of a phase.</summary>
    public long CountOf(string phase) => Samples(phase).Length;

    /// <summary>The slowest samples of a phase (steady, fault or all; latency ns, send invoke index, deliver index),
    /// slowest first; at most <see cref="SlowestKept"/>.</summary>
    public IEnumerable<(long Latency, long SendIndex, long DeliverIndex)> Slowest(string phase) => phase switch
    {
        LatencyThreshold.Steady => _slowestSteady,
        LatencyThreshold.Fault => _slowestFault,
        _ => _slowestSteady.Concat(_slowestFault).OrderByDescending(s => s.Latency).ThenBy(s => s.DeliverIndex).Take(SlowestKept),
    };

    private static (long, long, long)[] SlowestFirst(PriorityQueue<(long, long, long), long> top) =>
        [.. top.UnorderedItems.Select(i => i.Element).OrderByDescending(s => s.Item1).ThenBy(s => s.Item3)];

    private long[] Samples(string phase) => phase switch
    {
        LatencyThreshold.Steady => _steady,
        LatencyThreshold.Fault => _fault,
        _ => _all,
    };

    private static LatencySummary Summarise(long[] sorted) => sorted.Length == 0
        ? LatencySummary.Empty
        : new LatencySummary(sorted.Length, PercentileOf(sorted, 50), PercentileOf(sorted, 95), PercentileOf(sorted, 99), sorted[^1], sorted.Average(v => (double)v));

    /// <summary>Nearest-rank percentile of a sorted array.</summary>
    private static long PercentileOf(long[] sorted, double percentile)
    {
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private static List<LatencyBucket> BuildSeries(
        List<(long Time, long Latency, bool Fault, long SendIndex, long DeliverIndex)> samples, List<long> sendTimes, long duration, int buckets)
    {
        var width = Math.Max(1_000_000L, (duration + buckets) / buckets); // at least 1 ms
        var count = (int)Math.Min(buckets + 1, (duration / width) + 1);
        var latencies = new List<long>[count];
        var sendsPer = new long[count];
        foreach (var time in sendTimes)
        {
            sendsPer[Math.Clamp((int)(time / width), 0, count - 1)]++;
        }

        foreach (var sample in samples)
        {
            var bucket = Math.Clamp((int)(sample.Time / width), 0, count - 1);
            (latencies[bucket] ??= []).Add(sample.Latency);
        }

        var series = new List<LatencyBucket>(count);
        for (var i = 0; i < count; i++)
        {
            var values = latencies[i] is { } list ? list.ToArray() : [];
            Array.Sort(values);
            series.Add(values.Length == 0
                ? new LatencyBucket(i * width, (i + 1) * width, sendsPer[i], 0, 0, 0, 0)
                : new LatencyBucket(i * width, (i + 1) * width, sendsPer[i], values.Length,
                    PercentileOf(values, 50), PercentileOf(values, 95), PercentileOf(values, 99)));
        }

        return series;
    }
}
