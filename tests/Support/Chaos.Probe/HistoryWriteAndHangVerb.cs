using System.Diagnostics;
using System.Globalization;
using Chaos.Harness.History;

namespace Chaos.Probe;

/// <summary><c>history-write-and-hang PATH N</c>: records N events with <see cref="HistoryWriter"/>, never flushes or
/// disposes it, prints "recorded N", then waits to be killed (at most 60 s, or until CHAOS_PARENT_PID is gone).
/// Proves that a run killed mid-way still leaves its history on disk.</summary>
internal sealed class HistoryWriteAndHangVerb : IProbeVerb
{
    public string Name => "history-write-and-hang";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var count = int.Parse(args[1], CultureInfo.InvariantCulture);
#pragma warning disable CA2000 // deliberately never disposed: this process is killed while the writer is open
        var writer = HistoryWriter.Create(args[0], TimeProvider.System);
#pragma warning restore CA2000
        for (var i = 0; i < count; i++)
        {
            writer.Record("u1/d1", HistoryEventType.Ok, HistoryOps.Deliver, new DeliverValue($"m{i}", "u1", "d1", i + 1));
        }

        await Console.Out.WriteLineAsync($"recorded {count}");
        await Console.Out.FlushAsync(cancellationToken);
        var parent = int.TryParse(Environment.GetEnvironmentVariable("CHAOS_PARENT_PID"), out var pid) ? pid : (int?)null;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60) && !cancellationToken.IsCancellationRequested)
        {
            if (parent is { } p && !IsAlive(p))
            {
                return 3;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
        }

        return 0;
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
    }
}
