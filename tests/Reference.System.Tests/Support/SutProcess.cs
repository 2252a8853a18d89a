using System.Collections.Concurrent;
using System.Diagnostics;

namespace Chaos.Reference.Tests.Support;

/// <summary>One running `dotnet Reference.System.dll` process; its output is kept for failure messages.</summary>
public sealed class SutProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SutProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public Uri Url { get; private set; } = null!;

    public bool HasExited => _exited.Task.IsCompleted;

    public Task Exited => _exited.Task;

    public string Log => string.Join('\n', _lines.TakeLast(40).Select(l => l.Length > 400 ? l[..400] + "..." : l));

    public IReadOnlyList<string> Lines => [.. _lines];

    public static async Task<SutProcess> StartAsync(string name, IEnumerable<string> args, CancellationToken cancellationToken, int? parentPid = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Paths.SystemDll);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        // killed children must leave no diagnostics socket or debugger pipes in /tmp
        info.Environment["DOTNET_EnableDiagnostics_IPC"] = "0";
        info.Environment["DOTNET_EnableDiagnostics_Debugger"] = "0";
        info.Environment["CHAOS_PARENT_PID"] = (parentPid ?? Environment.ProcessId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["DOTNET_TieredCompilation"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var sut = new SutProcess(name, process);
        process.OutputDataReceived += (_, e) => sut.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => sut.OnLine(e.Data);
        process.Exited += (_, _) =>
        {
            sut._exited.TrySetResult();
            sut._listening.TrySetException(new InvalidOperationException($"{name} exited before listening:\n{sut.Log}"));
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            sut.Url = await sut._listening.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch
        {
            await sut.DisposeAsync();
            throw;
        }

        return sut;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        const string prefix = "listening: ";
        if (line.StartsWith(prefix, StringComparison.Ordinal))
        {
            _listening.TrySetResult(new Uri(line[prefix.Length..].Trim()));
        }
    }

    /// <summary>SIGKILL: no cleanup at all.</summary>
    public async Task KillAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }

        await _exited.Task.WaitAsync(TimeSpan.FromSeconds(20));
    }

    public async ValueTask DisposeAsync()
    {
        if (!HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }
}
