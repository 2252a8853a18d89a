using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Chaos.Harness.Topology.Processes;

/// <summary>A node of the process back-end: one child process (and its tree) per incarnation.</summary>
internal sealed class ProcessNode : ITopologyNode, IDisposable
{
    private readonly ProcessTopology owner;
    private readonly NodeLog log;
    private readonly ILogger logger;
    private readonly SemaphoreSlim control = new(1, 1);
    private readonly Dictionary<string, int> ports;
    private readonly string executable;
    private volatile ProcessIncarnation? current;
    private int incarnation;

    public ProcessNode(ProcessTopology owner, NodeSpec spec, string executable, NodeLog log, Dictionary<string, int> ports, ILogger logger)
    {
        this.owner = owner;
        Spec = spec;
        this.executable = executable;
        this.log = log;
        this.ports = ports;
        this.logger = logger;
    }

    public event EventHandler<NodeExitedEventArgs>? Exited;

    public string Name => Spec.Name;

    public string Role => Spec.Role;

    public NodeSpec Spec { get; }

    public NodeState State => current switch
    {
        null => NodeState.Starting,
        { HasExited: true } => NodeState.Exited,
        { Paused: true } => NodeState.Paused,
        { Ready: true } => NodeState.Running,
        _ => NodeState.Starting,
    };

    public bool IsRunning => current is { HasExited: false };

    public int? ProcessId => current?.Pid;

    public int? ExitCode => current?.ExitCode;

    public int Incarnation => incarnation;

    public IReadOnlyDictionary<string, int> Ports => ports;

    public IReadOnlyDictionary<string, string> Endpoints
    {
        get
        {
            var result = ports.ToDictionary(p => p.Key, p => $"http://127.0.0.1:{p.Value.ToString(CultureInfo.InvariantCulture)}", StringComparer.Ordinal);
            if (current is { } c)
            {
                foreach (var (name, value) in c.Announced)
                {
                    result[name] = value;
                }
            }

            return result;
        }
    }

    public Uri? Endpoint => Endpoints.TryGetValue("endpoint", out var value) ? ToUri(value) : null;

    public string LogPath => log.Path;

    public IReadOnlyList<string> LogTail(int lines = 30) => log.Tail(lines);

    /// <summary>Starts the first incarnation; the caller then waits for readiness.</summary>
    public void StartFirst() => StartIncarnation();

    public async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        var inc = current ?? throw new InvalidOperationException($"node '{Name}' was never started");
        var readiness = Spec.Readiness;
        using var timeout = new CancellationTokenSource(Spec.StartupTimeout, owner.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var waitingFor = "the process to start";
        try
        {
            if (readiness.ReadyLine is { } pattern)
            {
                waitingFor = $"a stdout line matching '{pattern}'";
                var first = await Task.WhenAny(inc.ReadyLine.Task, inc.Exit.Task).WaitAsync(linked.Token);
                if (first == inc.Exit.Task)
                {
                    throw await ExitedDuringStartupAsync(inc);
                }
            }

            foreach (var (name, value) in Endpoints)
            {
                LoopbackGuard.EnsureAllowed(value, owner.AllowRemote, $"endpoint '{name}' of node '{Name}'");
            }

            if (readiness.HealthPath is { } path)
            {
                var endpoints = Endpoints;
                if (!endpoints.TryGetValue(readiness.HealthEndpoint, out var baseAddress) || ToUri(baseAddress) is not { } baseUri)
                {
                    throw new TopologyConfigurationException(
                        nameof(ReadinessCheck.HealthEndpoint),
                        $"node '{Name}' has no endpoint named '{readiness.HealthEndpoint}' for its health check (known: {string.Join(", ", endpoints.Keys)})");
                }

                var url = new Uri(baseUri, path);
                waitingFor = $"GET {url} to answer 2xx";
                while (!await owner.ProbeAsync(url, linked.Token))
                {
                    if (inc.Exit.Task.IsCompleted)
                    {
                        throw await ExitedDuringStartupAsync(inc);
                    }

                    await Task.WhenAny(Task.Delay(owner.HealthPollInterval, owner.TimeProvider, linked.Token), inc.Exit.Task);
                    linked.Token.ThrowIfCancellationRequested();
                }
            }

            if (inc.HasExited)
            {
                throw await ExitedDuringStartupAsync(inc);
            }

            inc.Ready = true;
            TopologyLog.NodeReady(logger, Name, string.Join(", ", Endpoints.Select(e => $"{e.Key}={e.Value}")));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new NodeStartupTimeoutException(Name, Spec.StartupTimeout, waitingFor, log.Tail(30));
        }
    }

    public async Task<bool> CheckHealthAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (current is not { HasExited: false })
        {
            return false;
        }

        if (Spec.Readiness.HealthPath is not { } path
            || !Endpoints.TryGetValue(Spec.Readiness.HealthEndpoint, out var baseAddress)
            || ToUri(baseAddress) is not { } baseUri)
        {
            return true;
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            return await owner.ProbeAsync(new Uri(baseUri, path), bounded.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public async Task KillAsync(CancellationToken cancellationToken)
    {
        await control.WaitAsync(cancellationToken);
        try
        {
            await KillCoreAsync(cancellationToken);
        }
        finally
        {
            control.Release();
        }
    }

    public async Task TerminateAsync(TimeSpan? grace, CancellationToken cancellationToken)
    {
        await control.WaitAsync(cancellationToken);
        try
        {
            await TerminateCoreAsync(grace ?? Spec.TerminateGrace, cancellationToken);
        }
        finally
        {
            control.Release();
        }
    }

    public async Task PauseAsync(CancellationToken cancellationToken)
    {
        await control.WaitAsync(cancellationToken);
        try
        {
            var inc = RunningOrThrow("pause");
            TopologyLog.NodeControl(logger, Name, "SIGSTOP");
            log.Write("---", "harness: SIGSTOP (pause)");
            ProcessTree.Signal(inc.Pid, inc.OwnGroup, PosixSignals.SigStop);
            inc.Paused = true;

            // SIGSTOP takes effect when each process next runs: wait until the kernel shows the whole tree
            // stopped, so "paused" is a fact when this returns.
            if (ProcFs.IsAvailable)
            {
                var tree = new List<int>(ProcFs.Descendants(inc.Pid)) { inc.Pid };
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                bounded.CancelAfter(owner.ExitTimeout);
                while (!inc.HasExited && tree.Any(p => ProcFs.TryReadStat(p, out var stat) && !stat.IsStopped && !stat.IsZombie))
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(5), owner.TimeProvider, bounded.Token);
                }
            }
        }
        finally
        {
            control.Release();
        }
    }

    public async Task ResumeAsync(CancellationToken cancellationToken)
    {
        await control.WaitAsync(cancellationToken);
        try
        {
            var inc = RunningOrThrow("resume");
            TopologyLog.NodeControl(logger, Name, "SIGCONT");
            log.Write("---", "harness: SIGCONT (resume)");
            ProcessTree.Signal(inc.Pid, inc.OwnGroup, PosixSignals.SigCont);
            inc.Paused = false;
        }
        finally
        {
            control.Release();
        }
    }

    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await control.WaitAsync(cancellationToken);
        try
        {
            await TerminateCoreAsync(Spec.TerminateGrace, cancellationToken);
            StartIncarnation();
        }
        finally
        {
            control.Release();
        }

        try
        {
            await WaitHealthyAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            TopologyLog.NodeStartFailed(logger, Name, ex.Message);
            await KillQuietlyAsync();
            throw;
        }
    }

    public Task<int> WaitForExitAsync(CancellationToken cancellationToken) =>
        (current ?? throw new InvalidOperationException($"node '{Name}' was never started")).Exit.Task.WaitAsync(cancellationToken);

    /// <summary>Kills the tree and waits (bounded) for the exit; never throws. Used on failed starts and dispose.</summary>
    public async Task KillQuietlyAsync()
    {
        try
        {
            using var bounded = new CancellationTokenSource(owner.ExitTimeout + TimeSpan.FromSeconds(1), owner.TimeProvider);
            await control.WaitAsync(bounded.Token);
            try
            {
                await KillCoreAsync(bounded.Token);
            }
            finally
            {
                control.Release();
            }
        }
        catch (Exception ex) when (ex is TopologyException or OperationCanceledException)
        {
            // Last resort: the registry/ reaper still know the pid.
            if (current is { HasExited: false } inc)
            {
                ProcessTree.Signal(inc.Pid, inc.OwnGroup, PosixSignals.SigKill);
            }
        }
    }

    public void Dispose()
    {
        current?.Process.Dispose();
        log.Dispose();
        control.Dispose();
    }

    private async Task KillCoreAsync(CancellationToken cancellationToken)
    {
        if (current is not { HasExited: false } inc)
        {
            return;
        }

        inc.ExpectedExit = true;
        TopologyLog.NodeControl(logger, Name, "SIGKILL");
        log.Write("---", "harness: SIGKILL (kill)");
        ProcessTree.Signal(inc.Pid, inc.OwnGroup, PosixSignals.SigKill);
        await AwaitExitAsync(inc, owner.ExitTimeout, cancellationToken);
    }

    private async Task TerminateCoreAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (current is not { HasExited: false } inc)
        {
            return;
        }

        inc.ExpectedExit = true;
        TopologyLog.NodeControl(logger, Name, "SIGTERM");
        log.Write("---", $"harness: SIGTERM (terminate, grace {grace.TotalSeconds:0.###} s)");
        ProcessTree.Signal(inc.Pid, inc.OwnGroup, PosixSignals.SigTerm);
        if (inc.Paused)
        {
            // A stopped process keeps SIGTERM pending; let it run to handle it.
            ProcessTree.Signal(inc.Pid, inc.OwnGroup, PosixSignals.SigCont);
            inc.Paused = false;
        }

        try
        {
            await inc.Exit.Task.WaitAsync(grace, owner.TimeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            if (!inc.HasExited)
            {
                log.Write("---", "harness: grace period over, SIGKILL");
                ProcessTree.Signal(inc.Pid, inc.OwnGroup, PosixSignals.SigKill);
            }

            await AwaitExitAsync(inc, owner.ExitTimeout, cancellationToken);
        }
    }

    private async Task AwaitExitAsync(ProcessIncarnation inc, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await inc.Exit.Task.WaitAsync(timeout, owner.TimeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TopologyException($"node '{Name}' (pid {inc.Pid}) did not exit within {timeout.TotalSeconds:0.###} s of SIGKILL");
        }
    }

    private ProcessIncarnation RunningOrThrow(string action) =>
        current is { HasExited: false } inc
            ? inc
            : throw new TopologyException($"cannot {action} node '{Name}': it is not running (exit code {ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"})");

    private void StartIncarnation()
    {
        var number = Interlocked.Increment(ref incarnation);
        var setsid = owner.SetsidPath;
        var psi = new ProcessStartInfo
        {
            FileName = setsid ?? executable,
            WorkingDirectory = Spec.WorkingDirectory ?? owner.RunDirectory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (setsid is not null)
        {
            // setsid execs in place (the child is not a group leader), so the pid stays the node's pid and
            // the node leads a new session and process group: signals to -pid reach its whole tree.
            psi.ArgumentList.Add(executable);
        }

        foreach (var argument in Spec.Arguments)
        {
            psi.ArgumentList.Add(Substitute(argument));
        }

        ChildDiagnostics.TurnOff(psi);

        foreach (var (key, value) in Spec.Environment)
        {
            psi.Environment[key] = Substitute(value);
        }

        psi.Environment[ParentWatch.EnvironmentVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var inc = new ProcessIncarnation(number, process, setsid is not null);
        process.OutputDataReceived += (_, e) => OnLine(inc, "out", e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(inc, "err", e.Data);
        process.Exited += (_, _) => OnExited(inc);

        var commandLine = string.Join(' ', [executable, .. psi.ArgumentList.Skip(setsid is null ? 0 : 1)]);
        log.Write("---", $"start #{number}: {commandLine}");
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            process.Dispose();
            throw new TopologyConfigurationException(nameof(NodeSpec.FileName), $"node '{Name}': cannot start '{executable}': {ex.Message}");
        }

        inc.Pid = process.Id;
        inc.StartTime = ProcFs.TryReadStat(inc.Pid, out var stat) ? stat.StartTime : 0;
        current?.Process.Dispose();
        current = inc;
        ChildRegistry.Register(inc.Pid, inc.OwnGroup, () => inc.ExpectedExit = true);
        if (inc.ExitObserved)
        {
            ChildRegistry.Unregister(inc.Pid);
        }

        owner.SaveState();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        TopologyLog.NodeStarted(logger, Name, number, inc.Pid, commandLine);
    }

    private void OnLine(ProcessIncarnation inc, string stream, string? line)
    {
        if (line is null)
        {
            return;
        }

        log.Write(stream, line);
        if (stream != "out" || inc.ReadyLine.Task.IsCompleted || Spec.Readiness.ReadyLine is not { } pattern)
        {
            return;
        }

        Match match;
        try
        {
            match = pattern.Match(line);
        }
        catch (RegexMatchTimeoutException)
        {
            return;
        }

        if (!match.Success)
        {
            return;
        }

        foreach (var groupName in pattern.GetGroupNames())
        {
            if (!int.TryParse(groupName, NumberStyles.None, CultureInfo.InvariantCulture, out _) && match.Groups[groupName] is { Success: true } group)
            {
                inc.Announced[groupName] = group.Value;
            }
        }

        inc.ReadyLine.TrySetResult();
    }

    private void OnExited(ProcessIncarnation inc)
    {
        inc.ExitObserved = true;
        if (inc.OwnGroup)
        {
            // The leader is gone: take what is left of its group with it. The group id stays allocated while
            // members live, so this cannot hit an unrelated process.
            try
            {
                PosixSignals.Send(-inc.Pid, PosixSignals.SigKill);
            }
            catch (TopologyException)
            {
                // nothing left, or not ours to signal
            }
        }

        ChildRegistry.Unregister(inc.Pid);
        _ = FinishExitAsync(inc);
    }

    private async Task FinishExitAsync(ProcessIncarnation inc)
    {
        try
        {
            // Drain the output pipes so the log and the tail are complete before anyone hears of the exit.
            using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(3), owner.TimeProvider);
            await inc.Process.WaitForExitAsync(drain.Token);
        }
        catch (OperationCanceledException)
        {
            // a grandchild that escaped the group still holds the pipe; the exit is known anyway
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            // disposed during teardown
        }

        int code;
        try
        {
            code = inc.Process.ExitCode;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            code = -1; // the topology was torn down while the exit was being collected
        }

        log.Write("---", $"exit #{inc.Number}: code {code} ({(inc.ExpectedExit ? "caused by the harness" : "unexpected")})");
        TopologyLog.NodeExited(logger, Name, code, inc.ExpectedExit);
        inc.ExitCode = code;
        owner.SaveState();

        // Handlers run before the exit task completes: whoever awaits kill/terminate sees the handlers' effects.
        try
        {
            Exited?.Invoke(this, new NodeExitedEventArgs(this, inc.Number, code, inc.ExpectedExit));
        }
        catch (Exception ex)
        {
            TopologyLog.ExitedHandlerFailed(logger, ex, Name);
        }

        inc.Exit.TrySetResult(code);
    }

    private async Task<NodeExitedDuringStartupException> ExitedDuringStartupAsync(ProcessIncarnation inc)
    {
        var code = await inc.Exit.Task.WaitAsync(owner.ExitTimeout, owner.TimeProvider);
        return new NodeExitedDuringStartupException(Name, code, log.Tail(30));
    }

    /// <summary>The state-file record of the live incarnation, if any.</summary>
    internal TopologyStateChild? StateRecord() =>
        current is { HasExited: false, Pid: > 0 } inc ? new TopologyStateChild(Name, inc.Pid, inc.StartTime, inc.OwnGroup) : null;

    private string Substitute(string value) =>
        ProcessTopology.PortPlaceholder().Replace(value, m => ports[ProcessTopology.PortName(m)].ToString(CultureInfo.InvariantCulture));

    private static Uri? ToUri(string value)
    {
        var first = value.Split(',', StringSplitOptions.TrimEntries)[0];
        return Uri.TryCreate(first.Contains("://", StringComparison.Ordinal) ? first : "tcp://" + first, UriKind.Absolute, out var uri) ? uri : null;
    }
}
