using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Chaos.Harness.Topology.Processes;

/// <summary>
/// One small process per harness that outlives it: when the harness is gone (exited, SIGKILLed, or a zombie its parent
/// never reaps), it SIGKILLs every process that carries the harness's mark, <c>CHAOS_PARENT_PID=&lt;harness pid&gt;</c>,
/// and ends. Our children watch that mark themselves (<see cref="ParentWatch"/>), but a child cannot when a pause
/// fault holds it stopped (SIGSTOP: zombie-consumer, process-starve) or when it is a program that ignores the mark —
/// the cleanup soak found such a node left stopped, still listening, after a SIGKILLed harness (docs/testing.md,
/// "Soak figures"). The reaper at the next start remains the backstop for what this misses.
/// A POSIX shell rather than a .NET process: a few hundred kilobytes, no runtime files of its own, no start-up cost.
/// It checks the harness every 250 ms as <see cref="ParentWatch"/> does (<c>/proc/&lt;pid&gt;/stat</c>: there, not a
/// zombie, the same start time), gives up after three days, and is in its own session (setsid) so that a signal to
/// the harness's process group does not take it along. It kills only marked processes that started between the
/// harness's start and the moment it saw the harness gone, so that a new process reusing the pid (and its children,
/// marked with the same number) is never touched. A paused container of the harness (its label names the harness's pid
/// and start time) cannot die while frozen: the guard unpauses it after the first kill pass, so the pending SIGKILL
/// lands. It unmounts the harness's storage volume, if it mounted one (its mount source is <c>chaos-volume-&lt;pid&gt;-&lt;start&gt;</c>:
/// <c>Deployment/StorageVolume</c>). Last, it removes the harness's own .NET runtime files (<c>dotnet-diagnostic-&lt;pid&gt;-&lt;start&gt;-socket</c>,
/// <c>clr-debug-pipe-&lt;pid&gt;-&lt;start&gt;-in/-out</c>: a SIGKILLed process cannot), only sockets and pipes of
/// this user, as <see cref="ProcessReaper"/> does. docs/topology.md, "The harness guard".
/// </summary>
internal static class HarnessGuard
{
    /// <summary>The guard's own mark: <c>CHAOS_GUARD_OF=&lt;harness pid&gt;</c> (not <c>CHAOS_PARENT_PID</c>, so it
    /// never matches itself).</summary>
    public const string EnvironmentVariable = "CHAOS_GUARD_OF";

    private const string Script = """
        exec </dev/null >/dev/null 2>&1
        h=$1
        t=$2
        alive() {
          [ -r "/proc/$h/stat" ] || return 1
          s=
          read -r s < "/proc/$h/stat" || return 1
          s=${s##*) }
          set -- $s
          [ "$1" != Z ] && [ "${20}" = "$t" ]
        }
        n=0
        while alive; do
          n=$((n + 1))
          [ "$n" -le 1036800 ] || exit 0
          sleep 0.25
        done
        now=$(cat /proc/self/stat)
        now=${now##*) }
        set -- $now
        now=${20}
        for pass in 1 2; do
          for f in $(grep -l -z -x "CHAOS_PARENT_PID=$h" /proc/[0-9]*/environ 2>/dev/null); do
            p=${f#/proc/}
            p=${p%/environ}
            s=
            read -r s < "/proc/$p/stat" 2>/dev/null || continue
            s=${s##*) }
            set -- $s
            [ "${20}" -ge "$t" ] && [ "${20}" -le "$now" ] && kill -KILL "$p" 2>/dev/null
          done
          if [ "$pass" = 1 ] && command -v docker >/dev/null 2>&1; then
            docker ps --filter label=org.chaos.harness --filter status=paused --format '{{.ID}} {{.Label "org.chaos.harness"}}' 2>/dev/null |
              while read -r id boot pid start; do
                [ "$pid" = "$h" ] && [ "$start" = "$t" ] && docker unpause "$id" >/dev/null 2>&1
              done
          fi
          sleep 0.2
        done
        while read -r src dst rest; do
          [ "$src" = "chaos-volume-$h-$t" ] && umount -l "$dst" 2>/dev/null && rmdir "$dst" 2>/dev/null
        done < /proc/self/mounts
        d=${TMPDIR:-/tmp}
        d=${d%/}
        for f in "$d/dotnet-diagnostic-$h-$t-socket" "$d/clr-debug-pipe-$h-$t-in" "$d/clr-debug-pipe-$h-$t-out"; do
          if [ -S "$f" ] || [ -p "$f" ]; then
            [ -O "$f" ] && rm -f "$f"
          fi
        done
        """;

    private static readonly Lock Gate = new();
    private static Process? guard;

    /// <summary>Starts this harness's guard unless it runs; returns its pid, or null where there is none (not Linux,
    /// no /bin/sh, or it could not start: logged, and the reaper remains).</summary>
    public static int? EnsureStarted(ILogger logger)
    {
        var setsidPath = OperatingSystem.IsLinux() ? new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists) : null;
        if (!ProcFs.IsAvailable || !File.Exists("/bin/sh"))
        {
            return null;
        }

        lock (Gate)
        {
            if (guard is { HasExited: false })
            {
                return guard.Id;
            }

            guard?.Dispose();
            guard = null;
            if (!ProcFs.TryReadStat(Environment.ProcessId, out var self))
            {
                return null;
            }

            var pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            var start = new ProcessStartInfo(setsidPath ?? "/bin/sh") { UseShellExecute = false };
            if (setsidPath is not null)
            {
                start.ArgumentList.Add("/bin/sh");
            }

            foreach (var argument in (ReadOnlySpan<string>)["-c", Script, "chaos-guard", pid, self.StartTime.ToString(CultureInfo.InvariantCulture)])
            {
                start.ArgumentList.Add(argument);
            }

            start.Environment.Remove(ParentWatch.EnvironmentVariable);
            start.Environment[EnvironmentVariable] = pid;
            try
            {
                guard = Process.Start(start);
            }
            catch (Exception e) when (e is Win32Exception or InvalidOperationException)
            {
                TopologyLog.GuardNotStarted(logger, e.Message);
                return null;
            }

            return guard?.Id;
        }
    }
}
