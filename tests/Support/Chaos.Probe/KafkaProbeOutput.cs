namespace Chaos.Probe;

/// <summary>Line output shared by librdkafka's callback threads and the verb's own loop.</summary>
internal static class KafkaProbeOutput
{
    private static readonly Lock Gate = new();
    private static readonly StreamWriter Out = new(Console.OpenStandardOutput()) { AutoFlush = false, NewLine = "\n" };

    public static void Line(string line, bool flush = true)
    {
        lock (Gate)
        {
            Out.WriteLine(line);
            if (flush)
            {
                Out.Flush();
            }
        }
    }

    public static void Flush()
    {
        lock (Gate)
        {
            Out.Flush();
        }
    }

    /// <summary>Cancels when stdin closes (the test's way to stop a probe cleanly) or CHAOS_PARENT_PID is gone.</summary>
    public static CancellationTokenSource StopSignal(CancellationToken cancellationToken)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _ = Task.Run(async () =>
        {
            using var stdin = new StreamReader(Console.OpenStandardInput());
            while (await stdin.ReadLineAsync(cts.Token) is not null)
            {
            }

            await cts.CancelAsync();
        }, cts.Token);
        if (Chaos.Harness.Topology.ParentWatch.ParentPidFromEnvironment() is { } parent)
        {
            _ = Task.Run(async () =>
            {
                await Chaos.Harness.Topology.ParentWatch.WaitForExitAsync(parent, TimeProvider.System, cts.Token);
                await cts.CancelAsync();
            }, cts.Token);
        }

        return cts;
    }
}
