using System.Globalization;
using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Processes;

namespace Chaos.Harness.Faults.Process;

/// <summary>
/// <c>process-starve</c>: CPU starvation of one node — a noisy neighbour, a throttled cgroup, a node whose share of the
/// machine is gone. The harness runs the node by duty cycle (how <c>cpulimit</c> works): in every
/// <see cref="Period"/> it is stopped (SIGSTOP of its tree; <c>docker pause</c> in containers) for all but
/// <see cref="Share"/> of it, so it gets at most that share of wall time on a CPU, and everything it does (Kafka
/// heartbeats and polls, SignalR pings, outbox reads, HTTP answers) runs late in short bursts. Heal: the cycle stops
/// and the node runs freely again (docs/faults.md, "Process faults").
/// <para>
/// Took effect: the node was observed stopped for most of the fault, measured on the harness's clock around each
/// stop and resume (<see cref="StoppedFraction"/>), and its CPU time (/proc) over the fault is reported beside it.
/// The cycle stops by itself when the node is down or after <see cref="MaxDuration"/>, whatever the schedule says.
/// </para>
/// </summary>
public sealed class ProcessStarveFault : ProcessFault
{
    /// <summary>The longest a starvation runs before it stops by itself (a heal that never comes leaves no loop behind).</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(30);

    private readonly TimeProvider _time;
    private CancellationTokenSource? _stop;
    private Task? _loop;
    private long _startedAt;
    private TimeSpan? _cpuAtApply;
    private TimeSpan _elapsed;

    public ProcessStarveFault(ITopologyNode node, double share, TimeSpan period, TimeProvider? time = null)
        : base(node)
    {
        if (!double.IsFinite(share) || share is < MinShare or > MaxShare)
        {
            throw new ArgumentOutOfRangeException(nameof(share), share, $"the share of CPU time left to the node must be within {MinShare}..{MaxShare}");
        }

        if (period < MinPeriod || period > MaxPeriod)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, $"the period must be within {MinPeriod.TotalMilliseconds:0} ms..{MaxPeriod.TotalSeconds:0} s");
        }

        Share = share;
        Period = period;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Smallest share accepted (1 %: below it a node is paused, not starved — use process-pause).</summary>
    public const double MinShare = 0.01;

    /// <summary>Largest share accepted (90 %).</summary>
    public const double MaxShare = 0.9;

    /// <summary>Shortest period accepted: every stop and resume is a signal and a /proc check, or a docker call.</summary>
    public static readonly TimeSpan MinPeriod = TimeSpan.FromMilliseconds(20);

    /// <summary>Longest period accepted.</summary>
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromSeconds(10);

    /// <inheritdoc/>
    public override string Name => ProcessFaultNames.Starve;

    /// <summary>The fraction of each period the node may run.</summary>
    public double Share { get; }

    /// <summary>One stop-and-run cycle.</summary>
    public TimeSpan Period { get; }

    /// <summary>Stop-and-run cycles completed.</summary>
    public int Cycles { get; private set; }

    /// <summary>
    /// Wall time the node was observed stopped, from each stop's return (once /proc shows the whole tree stopped) to
    /// its resume's call: a lower bound of the time it could not run.
    /// </summary>
    public TimeSpan Stopped { get; private set; }

    /// <summary>Wall time from the apply to the end of the cycle (so far, while it runs).</summary>
    public TimeSpan Elapsed => _loop is not null ? _time.GetElapsedTime(_startedAt) : _elapsed;

    /// <summary>CPU time the node's main process used while starved (from /proc), when it could be read at both ends.</summary>
    public TimeSpan? CpuUsed { get; private set; }

    /// <summary>Why the cycle ended before the heal, if it did (the node went down, a stop or resume failed).</summary>
    public string? Interrupted { get; private set; }

    /// <summary>The fraction of the fault's wall time the node was stopped.</summary>
    public double StoppedFraction => Elapsed > TimeSpan.Zero ? Stopped / Elapsed : 0;

    /// <summary>
    /// True when the starvation took effect: at least three cycles, and the node stopped for at least half of the
    /// time the share withholds from it.
    /// </summary>
    public bool Starved => Cycles >= 3 && StoppedFraction >= (1 - Share) / 2;

    /// <inheritdoc/>
    protected override string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"incarnation {HitIncarnation} {(_loop is not null ? "starving (so far)" : Starved ? "starved" : "NOT starved")}: stopped {StoppedFraction * 100:0}% of {Elapsed.TotalSeconds:0.0} s in {Cycles} cycles of {Period.TotalMilliseconds:0} ms (share {Share * 100:0.#}%)")
        + (CpuUsed is { } cpu && Elapsed > TimeSpan.Zero ? string.Create(CultureInfo.InvariantCulture, $"; it used {cpu.TotalSeconds:0.00} s of CPU ({cpu / Elapsed:0.00} cores)") : "")
        + (Interrupted is { } why ? "; cycle ended early: " + why : "");

    /// <inheritdoc/>
    protected override Task ApplyCoreAsync(CancellationToken cancellationToken)
    {
        if (!Node.IsRunning)
        {
            Interrupted = "the node was not running";
            return Task.CompletedTask;
        }

        _startedAt = _time.GetTimestamp();
        _cpuAtApply = Node.ProcessId is { } pid ? ProcessCpu.Of(pid) : null;
        _stop = new CancellationTokenSource(MaxDuration, _time);
        var token = _stop.Token;
        _loop = Task.Run(() => CycleAsync(token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override async Task HealAsync(CancellationToken cancellationToken)
    {
        await StopCycleAsync();
        await base.HealAsync(cancellationToken);
    }

    private async Task StopCycleAsync()
    {
        if (_stop is null || _loop is null)
        {
            return;
        }

        await _stop.CancelAsync();
        await _loop;
        _elapsed = _time.GetElapsedTime(_startedAt);
        if (_cpuAtApply is { } before && Node.ProcessId is { } pid && ProcessCpu.Of(pid) is { } after && after >= before)
        {
            CpuUsed = after - before;
        }

        _stop.Dispose();
        _stop = null;
        _loop = null;
    }

    private async Task CycleAsync(CancellationToken stop)
    {
        // deadlines on one grid from the start, so the stop and resume calls' own time does not stretch the period;
        // when the calls fall behind by a whole period (docker pause is slow), the missed cycles are skipped and the
        // node still runs at least half its share, so slowness of the harness never starves it below the share asked
        var off = Period * (1 - Share);
        var minimumRun = Period * Share / 2;
        var start = _time.GetTimestamp();
        try
        {
            for (var k = 0L; !stop.IsCancellationRequested; k++)
            {
                if (!Node.IsRunning || Node.Incarnation != HitIncarnation)
                {
                    Interrupted = "the node went down";
                    return;
                }

                var behind = _time.GetElapsedTime(start) - (Period * k);
                if (behind > Period)
                {
                    k += (long)(behind / Period);
                }

                await Node.PauseAsync(CancellationToken.None);
                var stoppedAt = _time.GetTimestamp();
                try
                {
                    await DelayUntilAsync(start, (Period * k) + off, stop);
                }
                finally
                {
                    Stopped += _time.GetElapsedTime(stoppedAt);
                    if (Node.State == NodeState.Paused)
                    {
                        await Node.ResumeAsync(CancellationToken.None);
                    }
                }

                Cycles++;
                var ranFrom = _time.GetTimestamp();
                await DelayUntilAsync(start, Period * (k + 1), stop);
                if (minimumRun - _time.GetElapsedTime(ranFrom) is { } more && more > TimeSpan.Zero)
                {
                    await Task.Delay(more, _time, stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // healed, or MaxDuration reached
        }
        catch (Exception e) when (e is TopologyException or InvalidOperationException or IOException)
        {
            // a stop or resume refused: the node died between the check and the signal, or the engine failed
            Interrupted = !Node.IsRunning || Node.Incarnation != HitIncarnation ? "the node went down" : e.Message;
        }
    }

    private Task DelayUntilAsync(long start, TimeSpan offset, CancellationToken stop)
    {
        var wait = offset - _time.GetElapsedTime(start);
        return wait > TimeSpan.Zero ? Task.Delay(wait, _time, stop) : Task.CompletedTask;
    }
}
