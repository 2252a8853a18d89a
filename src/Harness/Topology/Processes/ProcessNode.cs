using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Chaos.Harness.Topology.Processes;

/// <summary>
/// A node of the process back-end: one child process (and its tree, in its own process group) per incarnation,
/// signalled with POSIX signals. The node contract itself (readiness, the control lock, terminate-then-kill, the exit
/// report) is <see cref="TopologyNode{TIncarnation}"/>'s.
/// </summary>
internal sealed class ProcessNode : TopologyNode<ProcessIncarnation>
{
    private readonly ProcessTopology owner;
    private readonly string executable;

    public ProcessNode(ProcessTopology owner, NodeHost host, NodeSpec spec, string executable, NodeLog log, Dictionary<string, int> ports, ILogger logger)
        : base(host, spec, log, ports, logger)
    {
        this.owner = owner;
        this.executable = executable;
    }

    protected override string StartingWhat => "the process to start";

    protected override string KillCommand => "SIGKILL";

    protected override string TerminateCommand => "SIGTERM";

    public override void Dispose()
    {
        Current?.Process.Dispose();
        base.Dispose();
    }

    /// <summary>The state-file record of the live incarnation, if any.</summary>
    internal TopologyStateChild? StateRecord() =>
        Current is { HasExited: false, Pid: > 0 } inc ? new TopologyStateChild(Name, inc.Pid, inc.StartTime, inc.OwnGroup) : null;

    protected override Task SignalAsync(ProcessIncarnation inc, NodeSignal signal, CancellationToken cancellationToken)
    {
        ProcessTree.Signal(inc.Pid, inc.OwnGroup, signal == NodeSignal.Kill ? PosixSignals.SigKill : PosixSignals.SigTerm);
        return Task.CompletedTask;
    }

    protected override Task ThawAsync(ProcessIncarnation inc, CancellationToken cancellationToken)
    {
        ProcessTree.Signal(inc.Pid, inc.OwnGroup, PosixSignals.SigCont);
        inc.Paused = false;
        return Task.CompletedTask;
    }

    protected override async Task PauseCoreAsync(ProcessIncarnation inc, CancellationToken cancellationToken)
    {
        Announce("SIGSTOP", "pause");
        ProcessTree.Signal(inc.Pid, inc.OwnGroup, PosixSignals.SigStop);
        inc.Paused = true;

        // SIGSTOP takes effect when each process next runs: wait until the kernel shows the whole tree
        // stopped, so "paused" is a fact when this returns.
        if (ProcFs.IsAvailable)
        {
            var tree = new List<int>(ProcFs.Descendants(inc.Pid)) { inc.Pid };
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(Host.ExitTimeout);
            while (!inc.HasExited && tree.Any(p => ProcFs.TryReadStat(p, out var stat) && !stat.IsStopped && !stat.IsZombie))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5), Host.TimeProvider, bounded.Token);
            }
        }
    }

    protected override Task ResumeCoreAsync(ProcessIncarnation inc, CancellationToken cancellationToken)
    {
        Announce("SIGCONT", "resume");
        ProcessTree.Signal(inc.Pid, inc.OwnGroup, PosixSignals.SigCont);
        inc.Paused = false;
        return Task.CompletedTask;
    }

    // Last resort: the registry and the reaper still know the pid.
    protected override void LastResortKill(ProcessIncarnation inc) => ProcessTree.Signal(inc.Pid, inc.OwnGroup, PosixSignals.SigKill);

    protected override string Describe(ProcessIncarnation inc) => $"pid {inc.Pid.ToString(CultureInfo.InvariantCulture)}";

    protected override void OnExitRecorded(ProcessIncarnation inc) => owner.SaveState();

    protected override Task StartIncarnationAsync(CancellationToken cancellationToken)
    {
        var number = NextIncarnation();
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

        foreach (var (key, value) in owner.NodeEnvironment)
        {
            psi.Environment[key] = value;
        }

        psi.Environment[ParentWatch.EnvironmentVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var inc = new ProcessIncarnation(number, process, setsid is not null);
        process.OutputDataReceived += (_, e) => OnOutput(inc, "out", e.Data);
        process.ErrorDataReceived += (_, e) => OnOutput(inc, "err", e.Data);
        process.Exited += (_, _) => OnExited(inc);

        var commandLine = string.Join(' ', [executable, .. psi.ArgumentList.Skip(setsid is null ? 0 : 1)]);
        Log.Write("---", $"start #{number}: {commandLine}");
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
        Current?.Process.Dispose();
        Current = inc;
        ChildRegistry.Register(inc.Pid, inc.OwnGroup, () => inc.ExpectedExit = true);
        if (inc.ExitObserved)
        {
            ChildRegistry.Unregister(inc.Pid);
        }

        owner.SaveState();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        TopologyLog.NodeStarted(Logger, Name, number, inc.Pid, commandLine);
        return Task.CompletedTask;
    }

    private void OnOutput(ProcessIncarnation inc, string stream, string? line)
    {
        if (line is not null)
        {
            OnLine(inc, stream, line);
        }
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
            using var drain = new CancellationTokenSource(TimeSpan.FromSeconds(3), Host.TimeProvider);
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

        ReportExit(inc, code);
    }
}
