using System.Runtime.InteropServices;

namespace Chaos.Harness.Topology.Processes;

/// <summary>kill(2) and getppid(2): .NET's Process API has no SIGSTOP/SIGCONT/SIGTERM and no process groups.</summary>
internal static partial class PosixSignals
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    // Linux numbering (x86-64 and arm64); macOS differs for STOP/CONT.
    public static int SigStop => OperatingSystem.IsMacOS() ? 17 : 19;

    public static int SigCont => OperatingSystem.IsMacOS() ? 19 : 18;

    private const int Esrch = 3;

    /// <summary>Sends <paramref name="signal"/> to a pid (positive) or a process group (negative). False when there is no such process.</summary>
    public static bool Send(int pidOrNegativeGroup, int signal)
    {
        if (pidOrNegativeGroup is 0 or -1 or 1)
        {
            // 0 / -1 would signal our own group / every process we may signal: never.
            throw new ArgumentOutOfRangeException(nameof(pidOrNegativeGroup), pidOrNegativeGroup, "refusing to signal a broadcast target");
        }

        if (Kill(pidOrNegativeGroup, signal) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Esrch ? false : throw new TopologyException($"kill({pidOrNegativeGroup}, {signal}) failed with errno {errno}");
    }

    /// <summary>True when a process with that pid exists (zombies included) and we may signal it.</summary>
    public static bool Exists(int pid) => pid > 0 && (Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() != Esrch);

    public static int ParentProcessId() => GetParentPid();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "getppid")]
    private static partial int GetParentPid();
}
