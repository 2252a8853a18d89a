using System.Diagnostics;
using System.Globalization;

namespace Chaos.Probe;

/// <summary>
/// A stand-in harness: starts `FILE ARGS...` (the Kafka host) with CHAOS_PARENT_PID set to this
/// process, prints `child PID` and relays the child's stdout, then waits to be killed.
/// Args: FILE [ARGS...].
/// </summary>
internal sealed class KafkaSpawnHostVerb : IProbeVerb
{
    public string Name => "kafka-spawn-host";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(args[0]) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in args[1..])
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["CHAOS_PARENT_PID"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        using var child = Process.Start(start)!;
        KafkaProbeOutput.Line($"child {child.Id}");
        using var stop = KafkaProbeOutput.StopSignal(cancellationToken);
        while (await child.StandardOutput.ReadLineAsync(stop.Token) is { } line)
        {
            KafkaProbeOutput.Line(line);
        }

        await child.WaitForExitAsync(stop.Token);
        return 0;
    }
}
