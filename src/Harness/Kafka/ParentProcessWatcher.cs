using System.Diagnostics;
using System.Globalization;

namespace Chaos.Harness.Kafka;

/// <summary>
/// Watches the process named by <c>CHAOS_PARENT_PID</c> and signals when it is gone, so a long-lived
/// child (the Kafka host) never outlives a SIGKILLed harness. Polls every 250 ms: a process that
/// is not our child cannot be waited on portably.
/// </summary>
public static class ParentProcessWatcher
{
    /// <summary>The environment variable every child of the harness gets.</summary>
    public const string EnvironmentVariable = "CHAOS_PARENT_PID";

    /// <summary>The parent pid from the environment, or null when unset. Throws when it is set but not a pid.</summary>
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

    /// <summary>Completes when process <paramref name="pid"/> has exited (or at once when it does not exist).</summary>
    public static async Task WaitForExitAsync(int pid, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250), timeProvider);
        while (IsAlive(pid))
        {
            await timer.WaitForNextTickAsync(cancellationToken);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
