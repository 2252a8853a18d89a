using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Chaos.Harness.Checkers;
using Chaos.Harness.History;
using Chaos.Harness.Topology.Processes;
using Xunit;

namespace Chaos.Testing;

/// <summary>
/// A started chaos run (<see cref="ChaosRunBuilder.StartAsync"/>): the <c>chaos</c> tool's process and the folder it
/// writes. <see cref="WaitAsync"/> returns what the run decided; disposing a run still going stops it the way Ctrl-C
/// does (SIGTERM: the tool heals its faults, stops what it started and writes its reports), then kills what is left
/// after <see cref="StopGrace"/>. If the test process itself dies, the tool sees its parent gone
/// (<c>CHAOS_PARENT_PID</c>, docs/running.md) and does the same.
/// </summary>
public sealed class ChaosRun : IAsyncDisposable
{
    /// <summary>How long a stopped run has to heal and exit before its process tree is killed.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    private const int OutputLimit = 64 * 1024;

    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;
    private readonly TimeSpan _timeout;

    private ChaosRun(Process process, IReadOnlyList<string> commandLine, string folder, TimeSpan timeout)
    {
        _process = process;
        CommandLine = commandLine;
        Folder = folder;
        _timeout = timeout;
        _stdout = ReadBoundedAsync(process.StandardOutput);
        _stderr = ReadBoundedAsync(process.StandardError);
    }

    /// <summary>The run's folder (results.json, summary.md, junit.xml, report.html, history.jsonl).</summary>
    public string Folder { get; }

    /// <summary>The tool and its arguments, as started.</summary>
    public IReadOnlyList<string> CommandLine { get; }

    /// <summary>The tool's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>
    /// Waits for the run to end and returns what it decided: the tool's exit code (0 every promise held, 1 one broke),
    /// and the recorded history checked again here by the run's own check options (<c>check-options.json</c>), so the
    /// assertions see every anomaly with its evidence. Inside an xUnit v3 test the folder is attached to its result
    /// (<see cref="ChaosAttachments"/>).
    /// </summary>
    /// <exception cref="ChaosRunException">The run could not be done: the tool exited 2 (or with another code), or what
    /// it wrote cannot be read.</exception>
    /// <exception cref="TimeoutException">The run outlasted its timeout; it was stopped.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the run was stopped.</exception>
    public async Task<ChaosRunResult> WaitAsync(CancellationToken cancellationToken = default)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(_timeout);
        try
        {
            await _process.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            await StopAsync();
            cancellationToken.ThrowIfCancellationRequested();
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                $"the chaos run in {Folder} outlasted its {_timeout.TotalSeconds:0} s timeout and was stopped"));
        }

        var output = (await _stdout) + (await _stderr);
        Attach(output);
        if (_process.ExitCode is not (0 or 1))
        {
            throw new ChaosRunException(_process.ExitCode, output, Folder,
                $"the chaos run could not be done (exit {_process.ExitCode}): {LastLines(output, 5)}");
        }

        return await ReadAsync(_process.ExitCode, output, cancellationToken);
    }

    /// <summary>Stops a run still going (SIGTERM, then the tree killed after <see cref="StopGrace"/>); nothing when it has ended.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    internal static ChaosRun Start(string tool, IReadOnlyList<string> arguments, string folder, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // the tool stops itself, heals and cleans up when this process is gone, however it went (docs/running.md)
        start.Environment["CHAOS_PARENT_PID"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        start.Environment["NO_COLOR"] = "1";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new ChaosRunException(2, "", folder, $"the chaos tool '{tool}' did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ChaosRunException(2, "", folder,
                $"the chaos tool '{tool}' could not be started ({e.Message}): install it (dotnet tool install Chaos.Tool), or set {ChaosRunBuilder.ToolVariable} or WithTool to its path");
        }

        return new ChaosRun(process, [tool, .. arguments], folder, timeout);
    }

    private async Task StopAsync()
    {
        if (HasExited())
        {
            return;
        }

        PosixSignals.Send(_process.Id, PosixSignals.SigTerm);
        using var grace = new CancellationTokenSource(StopGrace);
        try
        {
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
        }
    }

    private bool HasExited()
    {
        try
        {
            return _process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private async Task<ChaosRunResult> ReadAsync(int exitCode, string output, CancellationToken cancellationToken)
    {
        try
        {
            var history = await HistoryReader.ReadAllAsync(Path.Combine(Folder, "history.jsonl"), HistoryReadMode.Strict, cancellationToken);
            var optionsPath = Path.Combine(Folder, CheckOptionsFile.FileName);
            var options = File.Exists(optionsPath) ? CheckOptionsFile.Parse(await File.ReadAllTextAsync(optionsPath, cancellationToken)) : new CheckOptions();
            var check = StandardChecks.Check(history.Events, options);
            return new ChaosRunResult(exitCode, output, Folder, Reproduce(), check, LatencyAnalysis.For(history.Events));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or HistoryFormatException or FormatException)
        {
            throw new ChaosRunException(2, output, Folder, $"the chaos run in {Folder} ended with exit {exitCode}, but what it wrote cannot be read: {e.Message}", e);
        }
    }

    /// <summary>The command that reproduces the run, as results.json records it; null when it does not.</summary>
    private string? Reproduce()
    {
        try
        {
            using var results = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "results.json")));
            return results.RootElement.TryGetProperty("properties", out var properties)
                && properties.ValueKind == JsonValueKind.Object
                && properties.TryGetProperty("reproduce", out var reproduce)
                && reproduce.ValueKind == JsonValueKind.String
                ? reproduce.GetString()
                : null;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    private void Attach(string output)
    {
        if (TestContext.Current.Test is null)
        {
            return;
        }

        TestContext.Current.SendDiagnosticMessage(output);
        if (Directory.Exists(Folder))
        {
            ChaosAttachments.AttachRunFolder(Folder);
        }
    }

    /// <summary>What a stream says, its last <see cref="OutputLimit"/> characters kept: the tool is quiet, a broken one may not be.</summary>
    private static async Task<string> ReadBoundedAsync(StreamReader reader)
    {
        var kept = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            kept.Append(buffer, 0, read);
            if (kept.Length > OutputLimit)
            {
                kept.Remove(0, kept.Length - OutputLimit);
            }
        }

        return kept.ToString();
    }

    private static string LastLines(string text, int count) =>
        string.Join(" | ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(count));
}
