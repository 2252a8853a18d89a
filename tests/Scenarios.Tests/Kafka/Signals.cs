using System.Runtime.InteropServices;

namespace Chaos.Scenarios.Tests.Kafka;

/// <summary>POSIX signals to a process by id (Process only offers SIGKILL).</summary>
internal static partial class Signals
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public static bool IsAlive(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
