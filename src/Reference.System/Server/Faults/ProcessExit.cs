using System.Runtime.InteropServices;

namespace Chaos.Reference.Faults;

/// <summary>Exit at once with no cleanup: no finalizers, no flushes, no graceful Kafka close — what a crash looks like.</summary>
internal static partial class ProcessExit
{
    public static void Immediately(int code)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            NativeExit(code);
        }

        Environment.FailFast($"immediate exit {code}");
    }

    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void NativeExit(int code);
}
