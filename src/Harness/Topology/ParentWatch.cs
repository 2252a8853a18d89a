using System.Globalization;
using Chaos.Harness.Topology.Processes;

namespace Chaos.Harness.Topology;

/// <summary>
/// Watches the process named by CHAOS_PARENT_PID and reports, once, when it is gone — so a child never outlives
/// a harness that was SIGKILLed. "Gone" means: the pid no longer exists, is a zombie, or is a different process
/// (another start time: pid reuse); or, when the parent was our real parent, we have been re-parented.
/// Polls every 250 ms by default (cheap: one /proc read), so the callback runs within ~0.3 s of the parent's death.
/// </summary>
public sealed class ParentWatch : IDisposable
{
    /// <summary>The environment variable every child of the harness gets: the harness's pid.</summary>
    public const string EnvironmentVariable = "CHAOS_PARENT_PID";

    private readonly CancellationTokenSource gone = new();
    private readonly ITimer timer;
    private readonly Action onParentGone;
    private readonly long parentStartTime;
    private readonly bool isRealParent;
    private int fired;

    private ParentWatch(int parentPid, Action onParentGone, TimeSpan pollInterval, TimeProvider timeProvider)
    {
        ParentPid = parentPid;
        this.onParentGone = onParentGone;
        parentStartTime = ProcFs.TryReadStat(parentPid, out var stat) ? stat.StartTime : -1;
        isRealParent = OperatingSystem.IsLinux() || OperatingSystem.IsMacOS() ? PosixSignals.ParentProcessId() == parentPid : false;
        // Armed after the field is set: a due time of zero could otherwise run Check before `timer` exists.
        timer = timeProvider.CreateTimer(_ => Check(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        timer.Change(TimeSpan.Zero, pollInterval);
    }

    /// <summary>The watched pid.</summary>
    public int ParentPid { get; }

    /// <summary>Cancelled when the parent is gone.</summary>
    public CancellationToken ParentGone => gone.Token;

    /// <summary>
    /// Starts watching the pid in CHAOS_PARENT_PID; returns null when the variable is absent or not a pid
    /// (the program was started by hand). <paramref name="onParentGone"/> runs once, on a timer thread.
    /// </summary>
    public static ParentWatch? FromEnvironment(Action onParentGone, TimeSpan? pollInterval = null, TimeProvider? timeProvider = null)
    {
        var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 1
            ? Start(pid, onParentGone, pollInterval, timeProvider)
            : null;
    }

    /// <summary>The parent pid from CHAOS_PARENT_PID, or null when unset. Throws when it is set but not a pid.</summary>
    public static int? ParentPidFromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0
            ? pid
            : throw new ArgumentException($"{EnvironmentVariable}='{text}' is not a process id.", EnvironmentVariable);
    }

    /// <summary>Completes when process <paramref name="pid"/> is gone (at once when it does not exist).</summary>
    public static async Task WaitForExitAsync(int pid, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using var watch = Start(pid, () => { }, timeProvider: timeProvider);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(watch.ParentGone, cancellationToken);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, timeProvider, either.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // the parent is gone
        }
    }

    /// <summary>Starts watching <paramref name="parentPid"/>.</summary>
    public static ParentWatch Start(int parentPid, Action onParentGone, TimeSpan? pollInterval = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(onParentGone);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(parentPid, 0);
        return new ParentWatch(parentPid, onParentGone, pollInterval ?? TimeSpan.FromMilliseconds(250), timeProvider ?? TimeProvider.System);
    }

    /// <summary>
    /// The usual reaction to a lost parent: SIGKILL every descendant of this process and, when it leads its own
    /// process group (as topology nodes do), the whole group — itself included; otherwise
    /// <see cref="Environment.Exit(int)"/> with <paramref name="exitCode"/>. So a node's own children go too.
    /// </summary>
    public static void ExitWithProcessTree(int exitCode = 3)
    {
        var self = Environment.ProcessId;
        if (ProcFs.IsAvailable)
        {
            foreach (var descendant in ProcFs.Descendants(self))
            {
                PosixSignals.Send(descendant, PosixSignals.SigKill);
            }

            if (ProcFs.TryReadStat(self, out var stat) && stat.ProcessGroup == self)
            {
                PosixSignals.Send(-self, PosixSignals.SigKill);
            }
        }

        Environment.Exit(exitCode);
    }

    /// <summary>Whether the parent is gone, checked now.</summary>
    public bool IsParentGone()
    {
        if (isRealParent && PosixSignals.ParentProcessId() != ParentPid)
        {
            return true;
        }

        if (ProcFs.IsAvailable)
        {
            return !ProcFs.TryReadStat(ParentPid, out var stat) || stat.IsZombie || (parentStartTime >= 0 && stat.StartTime != parentStartTime);
        }

        return !PosixSignals.Exists(ParentPid);
    }

    public void Dispose()
    {
        timer.Dispose();
        gone.Dispose();
    }

    private void Check()
    {
        if (Volatile.Read(ref fired) != 0 || !IsParentGone() || Interlocked.Exchange(ref fired, 1) != 0)
        {
            return;
        }

        timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        try
        {
            gone.Cancel();
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        onParentGone();
    }
}
