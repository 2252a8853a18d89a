using Chaos.Harness.History;

namespace Chaos.Harness.Checkers;

/// <summary>Which moments belong to the fault phase. Phase markers (<c>f = "phase"</c>) win when present; otherwise a
/// moment is in the fault phase when some nemesis fault is active (between its fault and heal events).</summary>
public sealed class PhaseTimeline
{
    private readonly (long Start, long End)[] _faultIntervals;
    private readonly (long Start, long End)[] _rampIntervals;

    private PhaseTimeline(IReadOnlyList<PhaseMark> marks, IReadOnlyList<FaultWindow> windows, (long, long)[] intervals, (long, long)[] ramps)
    {
        Marks = marks;
        FaultWindows = windows;
        _faultIntervals = intervals;
        _rampIntervals = ramps;
    }

    /// <summary>Phase markers in history order.</summary>
    public IReadOnlyList<PhaseMark> Marks { get; }

    /// <summary>Every fault window, in order of start.</summary>
    public IReadOnlyList<FaultWindow> FaultWindows { get; }

    /// <summary>Builds the timeline from the history's phase and nemesis events.</summary>
    public static PhaseTimeline Build(IReadOnlyList<HistoryEvent> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var marks = new List<PhaseMark>();
        var windows = new List<FaultWindow>();
        var open = new Dictionary<string, (NemesisValue Fault, long Start, long Index)>(StringComparer.Ordinal);
        var lastTime = 0L;
        var lastIndex = 0L;
        foreach (var e in history)
        {
            lastTime = Math.Max(lastTime, e.Time);
            lastIndex = e.Index;
            switch (e.Op)
            {
                case PhaseValue phase:
                    marks.Add(new PhaseMark(phase.Name, e.Time, e.Index));
                    break;
                case NemesisValue fault when e.F == HistoryOps.Fault && e.Type != HistoryEventType.Fail:
                    open.TryAdd(fault.Key, (fault, e.Time, e.Index));
                    break;
                case NemesisValue heal when e.F == HistoryOps.Heal && e.Type != HistoryEventType.Invoke:
                    if (open.Remove(heal.Key, out var started))
                    {
                        windows.Add(new FaultWindow(started.Fault.Fault, started.Fault.Target, started.Start, e.Time, started.Index, e.Index, true));
                    }

                    break;
            }
        }

        foreach (var (fault, start, index) in open.Values)
        {
            windows.Add(new FaultWindow(fault.Fault, fault.Target, start, lastTime, index, lastIndex, false));
        }

        windows.Sort((a, b) => a.Start.CompareTo(b.Start));
        var intervals = new List<(long Start, long End)>();
        var ramps = new List<(long Start, long End)>();
        if (marks.Count > 0)
        {
            for (var i = 0; i < marks.Count; i++)
            {
                var until = i + 1 < marks.Count ? marks[i + 1].Time : long.MaxValue;
                if (RunPhases.IsFaultPhase(marks[i].Name))
                {
                    intervals.Add((marks[i].Time, until));
                }
                else if (RunPhases.IsRampPhase(marks[i].Name))
                {
                    // half-open: the instant the steady phase begins belongs to it
                    ramps.Add((marks[i].Time, until - 1));
                }
            }
        }
        else
        {
            intervals.AddRange(windows.Select(w => (w.Start, w.End)));
        }

        intervals.Sort();
        var merged = new List<(long Start, long End)>();
        foreach (var interval in intervals)
        {
            if (merged.Count > 0 && interval.Start <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, interval.End));
            }
            else
            {
                merged.Add(interval);
            }
        }

        return new PhaseTimeline(marks, windows, [.. merged], [.. ramps]);
    }

    /// <summary>Whether the run had a fault phase at all (a <c>fault</c> or <c>recovery</c> phase marker; without
    /// markers, a nemesis fault window).</summary>
    public bool HasFaultPhase => _faultIntervals.Length > 0;

    /// <summary>Whether <paramref name="time"/> falls in the ramp phase (load rising from cold; no SLO judges it).</summary>
    public bool IsRamp(long time) => Contains(_rampIntervals, time);

    /// <summary>Whether <paramref name="time"/> falls in the fault phase.</summary>
    public bool IsFault(long time) => Contains(_faultIntervals, time);

    private static bool Contains((long Start, long End)[] sorted, long time)
    {
        int lo = 0, hi = sorted.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var (start, end) = sorted[mid];
            if (time < start)
            {
                hi = mid - 1;
            }
            else if (time > end)
            {
                lo = mid + 1;
            }
            else
            {
                return true;
            }
        }

        return false;
    }
}
