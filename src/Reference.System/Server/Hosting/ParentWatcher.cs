using Chaos.Reference.Faults;

namespace Chaos.Reference.Hosting;

/// <summary>Exits this process within ~1 s of the process named by CHAOS_PARENT_PID disappearing, so nothing outlives a killed harness.</summary>
internal static class ParentWatcher
{
    public static void Start()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable("CHAOS_PARENT_PID"), out var pid) || pid <= 0)
        {
            return;
        }

        var thread = new Thread(() =>
        {
            while (Directory.Exists($"/proc/{pid}") || OperatingSystem.IsWindows())
            {
                if (OperatingSystem.IsWindows())
                {
                    try
                    {
                        using var p = System.Diagnostics.Process.GetProcessById(pid);
                    }
                    catch (ArgumentException)
                    {
                        break;
                    }
                }

                Thread.Sleep(250); // a dedicated watchdog thread; nothing else runs here
            }

            Console.Error.WriteLine($"parent {pid} is gone; exiting");
            ProcessExit.Immediately(3);
        })
        { IsBackground = true, Name = "parent-watcher" };
        thread.Start();
    }
}
