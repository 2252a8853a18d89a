using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Chaos.Harness.Topology.Containers;

/// <summary>
/// Process-wide list of live container topologies, whose containers are killed and removed when the harness goes down
/// without disposing them: AppDomain.ProcessExit, SIGINT (Ctrl-C), SIGTERM, SIGQUIT, SIGHUP (as the process back-end's
/// registry does; the handlers do not cancel the signal, so the runtime's default exit follows). SIGKILL cannot be
/// caught: nodes watch CHAOS_PARENT_PID for that, and <see cref="ContainerReaper"/> cleans up at the next start.
/// </summary>
internal static class ContainerRunRegistry
{
    private static readonly ConcurrentDictionary<ContainerTopology, bool> Live = new();
    private static readonly Lock HookLock = new();
    private static List<PosixSignalRegistration>? registrations;

    public static void Register(ContainerTopology topology)
    {
        EnsureHooks();
        Live[topology] = true;
    }

    public static void Unregister(ContainerTopology topology) => Live.TryRemove(topology, out _);

    private static void RemoveAll()
    {
        var topologies = Live.Keys.ToList();
        Live.Clear();
        Task.WaitAll([.. topologies.Select(t => Task.Run(t.RemoveEverythingNow))], TimeSpan.FromSeconds(10));
    }

    private static void EnsureHooks()
    {
        lock (HookLock)
        {
            if (registrations is not null)
            {
                return;
            }

            AppDomain.CurrentDomain.ProcessExit += (_, _) => RemoveAll();
            registrations = [];
            if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
            {
                foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT, PosixSignal.SIGHUP })
                {
                    registrations.Add(PosixSignalRegistration.Create(signal, _ => RemoveAll()));
                }
            }
        }
    }
}
