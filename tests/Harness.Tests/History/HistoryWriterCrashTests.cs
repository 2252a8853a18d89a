using System.Diagnostics;
using Chaos.Harness.History;
using Chaos.Harness.Topology.Processes;

namespace Chaos.Harness.Tests.History;

public sealed class HistoryWriterCrashTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chaos-crash-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string ProbeDll()
    {
        var candidates = new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Chaos.Probe.dll"),
            Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../Support/Chaos.Probe/bin/Debug/net10.0/Chaos.Probe.dll")),
            Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../Support/Chaos.Probe/bin/Release/net10.0/Chaos.Probe.dll")),
        };
        return candidates.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException("Chaos.Probe.dll not built", candidates[1]);
    }

    [Fact]
    public async Task AKilledWriter_LeavesEveryRecordedEventOnDisk()
    {
        var ct = TestContext.Current.CancellationToken;
        var path = Path.Combine(_dir, "history.jsonl");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(ProbeDll());
        start.ArgumentList.Add("history-write-and-hang");
        start.ArgumentList.Add(path);
        start.ArgumentList.Add("5000");
        start.Environment["CHAOS_PARENT_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        ChildDiagnostics.TurnOff(start); // it is SIGKILLed: no diagnostics files left in /tmp
        using var probe = Process.Start(start)!;
        try
        {
            var line = await probe.StandardOutput.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(60), ct);
            line.Should().Be("recorded 5000");

            // The writer flushes on its own, shortly after recording: wait (bounded) for the file to hold it all.
            var deadline = Stopwatch.StartNew();
            while (CountLines(path) < 5000 && deadline.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50, ct);
            }
        }
        finally
        {
            probe.Kill(entireProcessTree: true); // SIGKILL: no dispose, no final flush
            await probe.WaitForExitAsync(ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
        }

        var read = await HistoryReader.ReadAllAsync(path, HistoryReadMode.Strict, ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
        read.Events.Should().HaveCount(5000);
        read.Events[^1].AsDeliver()!.Id.Should().Be("m4999");
    }

    private static int CountLines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var count = 0;
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            if (b == '\n')
            {
                count++;
            }
        }

        return count;
    }
}
