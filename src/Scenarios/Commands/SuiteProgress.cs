using System.Globalization;

namespace Chaos.Scenarios.Commands;

/// <summary>
/// Where a suite or a verify matrix stands: "[3/12, about 14m left]". The time left is the mean wall time of the runs
/// done so far times the runs still to go (this one included) — no estimate before the first run ends, since a run's
/// fixed cost (start, settle, drain) dwarfs its fault phase and differs by machine.
/// </summary>
internal sealed class SuiteProgress(int total, TimeProvider time)
{
    private readonly long _started = time.GetTimestamp();
    private int _done;

    /// <summary>Marks the current run done.</summary>
    public void Completed() => _done++;

    /// <summary>"[k/n]" for the run about to start, with the time left once a run has ended.</summary>
    public string Describe()
    {
        var position = string.Create(CultureInfo.InvariantCulture, $"{_done + 1}/{total}");
        if (_done == 0)
        {
            return $"[{position}]";
        }

        var perRun = time.GetElapsedTime(_started) / _done;
        return $"[{position}, about {Format(perRun * (total - _done))} left]";
    }

    /// <summary>A duration as a person reads it: 45s, 14m, 2h05m.</summary>
    internal static string Format(TimeSpan left) => left switch
    {
        { TotalMinutes: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, (int)Math.Round(left.TotalSeconds))}s"),
        { TotalHours: < 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)Math.Round(left.TotalMinutes)}m"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)left.TotalHours}h{left.Minutes:00}m"),
    };
}
