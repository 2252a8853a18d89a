using System.Diagnostics;
using Chaos.Harness.Checkers;
using Chaos.Harness.History;
using Chaos.Harness.Reports;

namespace Chaos.Probe;

/// <summary><c>history-check-timing PATH [OUT]</c>: reads, checks and reports a history, printing each phase's
/// time and the process's peak memory (the checker benchmark's measured command, docs/checkers.md).</summary>
internal sealed class HistoryCheckTimingVerb : IProbeVerb
{
    public string Name => "history-check-timing";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length == 0)
        {
            await Console.Error.WriteLineAsync("usage: history-check-timing PATH [OUT]");
            return 2;
        }

        var total = Stopwatch.StartNew();
        _cpuMark = Process.GetCurrentProcess().TotalProcessorTime;
        var phase = Stopwatch.StartNew();
        var read = await HistoryReader.ReadAllAsync(args[0], HistoryReadMode.Strict, cancellationToken);
        Report("read", phase, read.Events.Count);
        foreach (var check in StandardChecks.Create().Checks)
        {
            phase.Restart();
            var one = check.Check(read.Events);
            Report($"check {check.Name} ({one.Verdict})", phase, read.Events.Count);
        }

        phase.Restart();
        var result = StandardChecks.Check(read.Events);
        Report($"composite ({result.Verdict})", phase, read.Events.Count);
        if (args.Length > 1)
        {
            phase.Restart();
            await RunReport.WriteAsync(new ReportInput(read.Events, result, new RunMetadata()), args[1], cancellationToken);
            Report("reports", phase, read.Events.Count);
        }

        using var self = Process.GetCurrentProcess();
        await Console.Out.WriteLineAsync(
            $"total wall {total.Elapsed.TotalSeconds:0.00} s, cpu {self.TotalProcessorTime.TotalSeconds:0.00} s, peak working set {self.PeakWorkingSet64 / (1024 * 1024)} MiB, GC heap {GC.GetTotalMemory(false) / (1024 * 1024)} MiB, gen0/1/2 collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, GC pauses {GC.GetTotalPauseDuration().TotalSeconds:0.00} s");
        return 0;
    }

    private static TimeSpan _cpuMark = Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>Wall time and CPU time (all threads, GC included) of a phase: on a shared machine the CPU time is the
    /// steadier figure.</summary>
    private static void Report(string what, Stopwatch phase, int events)
    {
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        Console.WriteLine($"{what,-32} wall {phase.Elapsed.TotalSeconds,6:0.00} s  cpu {(cpu - _cpuMark).TotalSeconds,6:0.00} s  ({events} events)");
        _cpuMark = cpu;
    }
}
