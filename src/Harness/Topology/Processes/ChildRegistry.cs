using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Chaos.Harness.Topology.Processes;

/// <summary>
/// Process-wide list of live node processes, killed (whole trees) when the harness goes down without disposing its
/// topologies: AppDomain.ProcessExit, SIGINT (Ctrl-C), SIGTERM, SIGQUIT, SIGHUP. The handlers do not cancel the
/// signal, so the runtime's default behaviour (exit) follows. SIGKILL cannot be caught: children watch
/// CHAOS_PARENT_PID for that, and <see cref="ProcessReaper"/> cleans up at the next start.
/// </summary>
internal static class ChildRegistry
{
    private static readonly ConcurrentDictionary<int, (bool OwnGroup, Action OnKill)> Live = new();
    private static readonly Lock HookLock = new();
    private static List<PosixSignalRegistration>? registrations;

    /// <param name="pid">The node's pid.</param>
    /// <param name="ownGroup">Whether it leads its own process group.</param>
    /// <param name="onKill">Runs before the kill, to mark the coming exit as caused by the harness.</param>
    public static void Register(int pid, bool ownGroup, Action onKill)
    {
        EnsureHooks();
        Live[pid] = (ownGroup, onKill);
    }

    public static void Unregister(int pid) => Live.TryRemove(pid, out _);

    public static int Count => Live.Count;

    public static void KillAll()
    {
        foreach (var (pid, (ownGroup, onKill)) in Live)
        {
            try
            {
                onKill();
                ProcessTree.Signal(pid, ownGroup, PosixSignals.SigKill);
            }
            catch (TopologyException)
            {
                // Best effort while the process goes down; the reaper catches what is left.
            }

            Live.TryRemove(pid, out _);
        }
    }

    private static void EnsureHooks()
    {
        lock (HookLock)
        {
            if (registrations is not null)
            {
                return;
            }

            AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
            registrations = [];
            if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
            {
                foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT, PosixSignal.SIGHUP })
                {
                    registrations.Add(PosixSignalRegistration.Create(signal, _ => KillAll()));
                }
            }
        }
    }
}
