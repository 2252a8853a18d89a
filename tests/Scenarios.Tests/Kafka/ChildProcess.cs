using System.Diagnostics;
using System.Globalization;

namespace Chaos.Scenarios.Tests.Kafka;

/// <summary>A program the test launched: its stdout lines, collected as they come, and a way to wait for one.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly List<string> lines = [];
    private readonly List<string> errors = [];
    private readonly Lock gate = new();
    private readonly Task stdout;
    private readonly Task stderr;
    private bool disposed;
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ChildProcess(Process process)
    {
        this.process = process;
        stdout = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                TaskCompletionSource signal;
                lock (gate)
                {
                    lines.Add(line);
                    signal = changed;
                    changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }

                signal.TrySetResult();
            }
        });
        stderr = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
            {
                lock (gate)
                {
                    errors.Add(line);
                }
            }
        });
    }

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public string StandardError
    {
        get
        {
            lock (gate)
            {
                return string.Join('\n', errors);
            }
        }
    }

    public static ChildProcess Start(string fileName, params IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        // killed children must leave no diagnostics socket or debugger pipes in /tmp
        start.Environment["DOTNET_EnableDiagnostics_IPC"] = "0";
        start.Environment["DOTNET_EnableDiagnostics_Debugger"] = "0";
        start.Environment["CHAOS_PARENT_PID"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        return new ChildProcess(Process.Start(start)!);
    }

    public static ChildProcess Probe(string verb, params IEnumerable<string> arguments) => Start("dotnet", [TestPaths.ProbeDll, verb, .. arguments]);

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (gate)
            {
                return [.. lines];
            }
        }
    }

    /// <summary>Waits until some stdout line satisfies <paramref name="predicate"/>; fails with the output so far after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, string what)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        var seen = 0;
        while (true)
        {
            Task next;
            lock (gate)
            {
                for (; seen < lines.Count; seen++)
                {
                    if (predicate(lines[seen]))
                    {
                        return lines[seen];
                    }
                }

                next = changed.Task;
            }

            try
            {
                await next.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No line '{what}' within {timeout.TotalSeconds:0} s. Last output:\n{string.Join('\n', Lines.TakeLast(20))}\nStderr:\n{StandardError}");
            }
        }
    }

    /// <summary>Waits until the lines so far satisfy <paramref name="condition"/>.</summary>
    public Task WaitUntilAsync(Func<IReadOnlyList<string>, bool> condition, TimeSpan timeout, string what) =>
        WaitForLineAsync(_ => condition(Lines), timeout, what);

    /// <summary>
    /// Waits until a condition over several processes holds. Re-checked every 200 ms, because a line
    /// of any of them can make it true.
    /// </summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what, IReadOnlyList<ChildProcess> processes)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(timeout);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (!condition())
        {
            try
            {
                await tick.WaitForNextTickAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                var outputs = processes.Select((p, i) => $"--- process {i} (pid {p.Id}):\n{string.Join('\n', p.Lines.TakeLast(12))}\nstderr: {p.StandardError}");
                throw new TimeoutException($"Not '{what}' within {timeout.TotalSeconds:0} s.\n{string.Join('\n', outputs)}");
            }
        }
    }

    /// <summary>Writes <paramref name="text"/> to stdin, then closes it.</summary>
    public async Task WriteInputAndCloseAsync(string text)
    {
        await process.StandardInput.WriteAsync(text.AsMemory(), TestContext.Current.CancellationToken);
        process.StandardInput.Close();
    }

    /// <summary>Closes stdin: the Kafka probe verbs take it as "stop cleanly".</summary>
    public void CloseInput() => process.StandardInput.Close();

    public void Kill() => process.Kill(entireProcessTree: true);

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(timeout, TestContext.Current.CancellationToken);
            await Task.WhenAll(stdout, stderr).WaitAsync(timeout, TestContext.Current.CancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        if (!process.HasExited)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }
        }

        await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        process.Dispose();
    }
}
