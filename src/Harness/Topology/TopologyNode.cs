using System.Globalization;
using System.Text.RegularExpressions;
using Chaos.Harness.Topology.Processes;
using Microsoft.Extensions.Logging;

namespace Chaos.Harness.Topology;

/// <summary>
/// The node contract's one implementation of everything a back-end does not decide: state, endpoints, readiness (ready
/// line, loopback check, health polling), one lock that serialises kill, terminate, pause, resume and restart, the
/// terminate-grace-kill sequence, the exit report (log line, Exited handlers, then the exit task), and the log.
/// A back-end supplies how an incarnation starts, how it is signalled, frozen and thawed, and what it leaves to clean
/// up (<see cref="ProcessNode"/>: a child process tree; <see cref="Containers.ContainerNode"/>: a container).
/// </summary>
/// <typeparam name="TIncarnation">The back-end's record of one start.</typeparam>
internal abstract class TopologyNode<TIncarnation> : ITopologyNode, IDisposable
    where TIncarnation : NodeIncarnation
{
    private readonly SemaphoreSlim control = new(1, 1);
    private readonly Dictionary<string, int> ports;
    private volatile TIncarnation? current;
    private int incarnation;

    protected TopologyNode(NodeHost host, NodeSpec spec, NodeLog log, Dictionary<string, int> ports, ILogger logger)
    {
        Host = host;
        Spec = spec;
        Log = log;
        Logger = logger;
        this.ports = ports;
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

    public int? ProcessId => current is { Pid: > 0 } c ? c.Pid : null;

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

    public string LogPath => Log.Path;

    protected NodeHost Host { get; }

    protected NodeLog Log { get; }

    protected ILogger Logger { get; }

    /// <summary>The latest incarnation (null before the first start).</summary>
    protected TIncarnation? Current
    {
        get => current;
        set => current = value;
    }

    /// <summary>What the readiness wait names while nothing else is awaited yet, e.g. "the process to start".</summary>
    protected abstract string StartingWhat { get; }

    /// <summary>How the logs name a kill, e.g. <c>SIGKILL</c>.</summary>
    protected abstract string KillCommand { get; }

    /// <summary>How the logs name a terminate, e.g. <c>SIGTERM</c>.</summary>
    protected abstract string TerminateCommand { get; }

    public IReadOnlyList<string> LogTail(int lines = 30) => Log.Tail(lines);

    public async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        var inc = current ?? throw new InvalidOperationException($"node '{Name}' was never started");
        var readiness = Spec.Readiness;
        using var timeout = new CancellationTokenSource(Spec.StartupTimeout, Host.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var waitingFor = StartingWhat;
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
                LoopbackGuard.EnsureAllowed(value, Host.AllowRemote, $"endpoint '{name}' of node '{Name}'");
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
                while (!await Host.ProbeAsync(url, linked.Token))
                {
                    if (inc.HasExited)
                    {
                        throw await ExitedDuringStartupAsync(inc);
                    }

                    await Task.WhenAny(Task.Delay(Host.HealthPollInterval, Host.TimeProvider, linked.Token), inc.Exit.Task);
                    linked.Token.ThrowIfCancellationRequested();
                }
            }

            if (inc.HasExited)
            {
                throw await ExitedDuringStartupAsync(inc);
            }

            inc.Ready = true;
            TopologyLog.NodeReady(Logger, Name, string.Join(", ", Endpoints.Select(e => $"{e.Key}={e.Value}")));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new NodeStartupTimeoutException(Name, Spec.StartupTimeout, waitingFor, Log.Tail(30)) { HarnessInterfered = inc.ExpectedExit || inc.WasPaused };
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
            return await Host.ProbeAsync(new Uri(baseUri, path), bounded.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public Task KillAsync(CancellationToken cancellationToken) => UnderControlAsync(KillCoreAsync, cancellationToken);

    public Task TerminateAsync(TimeSpan? grace, CancellationToken cancellationToken) =>
        UnderControlAsync(ct => TerminateCoreAsync(grace ?? Spec.TerminateGrace, ct), cancellationToken);

    public Task PauseAsync(CancellationToken cancellationToken) =>
        UnderControlAsync(ct => PauseCoreAsync(RunningOrThrow("pause"), ct), cancellationToken);

    public Task ResumeAsync(CancellationToken cancellationToken) =>
        UnderControlAsync(ct => ResumeCoreAsync(RunningOrThrow("resume"), ct), cancellationToken);

    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await UnderControlAsync(
            async ct =>
            {
                await TerminateCoreAsync(Spec.TerminateGrace, ct);
                await StartIncarnationAsync(ct);
            },
            cancellationToken);

        try
        {
            await WaitHealthyAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            TopologyLog.NodeStartFailed(Logger, Name, ex.Message);
            await KillQuietlyAsync();
            throw;
        }
    }

    public Task<int> WaitForExitAsync(CancellationToken cancellationToken) =>
        (current ?? throw new InvalidOperationException($"node '{Name}' was never started")).Exit.Task.WaitAsync(cancellationToken);

    /// <summary>Starts the first incarnation; the caller then waits for readiness.</summary>
    public Task StartFirstAsync(CancellationToken cancellationToken) => StartIncarnationAsync(cancellationToken);

    /// <summary>Kills the node and waits (bounded) for the exit; never throws. Used on failed starts and dispose.</summary>
    public async Task KillQuietlyAsync()
    {
        try
        {
            using var bounded = new CancellationTokenSource(Host.ExitTimeout + TimeSpan.FromSeconds(1), Host.TimeProvider);
            await UnderControlAsync(KillCoreAsync, bounded.Token);
        }
        catch (Exception ex) when (ex is TopologyException or OperationCanceledException || IsControlFailure(ex))
        {
            if (current is { HasExited: false } inc)
            {
                LastResortKill(inc);
            }
        }
    }

    public virtual void Dispose()
    {
        Log.Dispose();
        control.Dispose();
    }

    /// <summary>Takes the next incarnation number (1 for the first start).</summary>
    protected int NextIncarnation() => Interlocked.Increment(ref incarnation);

    /// <summary>Starts a new incarnation and makes it <see cref="Current"/>; readiness is awaited by the caller.</summary>
    protected abstract Task StartIncarnationAsync(CancellationToken cancellationToken);

    /// <summary>Sends <paramref name="signal"/> to the incarnation's whole tree (or container).</summary>
    protected abstract Task SignalAsync(TIncarnation inc, NodeSignal signal, CancellationToken cancellationToken);

    /// <summary>Stops the incarnation (SIGSTOP, cgroup freezer); returns once it is observed stopped.</summary>
    protected abstract Task PauseCoreAsync(TIncarnation inc, CancellationToken cancellationToken);

    /// <summary>Lets a paused incarnation run again.</summary>
    protected abstract Task ResumeCoreAsync(TIncarnation inc, CancellationToken cancellationToken);

    /// <summary>Lets a paused incarnation run so that a signal it was sent takes effect; quiet, no log line.</summary>
    protected abstract Task ThawAsync(TIncarnation inc, CancellationToken cancellationToken);

    /// <summary>Whether a frozen incarnation must be thawed to die of a kill (a frozen cgroup; a stopped process dies as is).</summary>
    protected virtual bool KillNeedsThaw => false;

    /// <summary>Whether the incarnation can be signalled yet (a container is, once created).</summary>
    protected virtual bool CanSignal(TIncarnation inc) => true;

    /// <summary>Whether pause and resume can act on the incarnation.</summary>
    protected virtual bool CanControl(TIncarnation inc) => true;

    /// <summary>Besides topology errors and cancellations, the failures a quiet kill swallows (an engine's errors).</summary>
    protected virtual bool IsControlFailure(Exception exception) => false;

    /// <summary>What a quiet kill does when the orderly kill failed (the process back-end signals the tree directly).</summary>
    protected virtual void LastResortKill(TIncarnation inc)
    {
    }

    /// <summary>The incarnation as an exit-timeout error names it, e.g. "pid 42".</summary>
    protected abstract string Describe(TIncarnation inc);

    /// <summary>Called when an exit has been recorded, before the Exited handlers run (state files, trackers).</summary>
    protected virtual void OnExitRecorded(TIncarnation inc)
    {
    }

    /// <summary>Logs a control action: the topology's log and the node's (<c>harness: COMMAND (why)</c>).</summary>
    protected void Announce(string command, string? why)
    {
        TopologyLog.NodeControl(Logger, Name, command);
        Log.Write("---", why is null ? $"harness: {command}" : $"harness: {command} ({why})");
    }

    /// <summary>One output line of <paramref name="inc"/>: logged, and matched against the ready line while it is awaited.</summary>
    protected void OnLine(TIncarnation inc, string stream, string line)
    {
        Log.Write(stream, line);
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

    /// <summary>Reports the exit of <paramref name="inc"/> (its output drained): the log line, the exit code, the back-end's
    /// bookkeeping, the Exited handlers, and last the exit task, so whoever awaits a kill sees the handlers' effects.</summary>
    protected void ReportExit(TIncarnation inc, int code)
    {
        Log.Write("---", $"exit #{inc.Number}: code {code} ({(inc.ExpectedExit ? "caused by the harness" : "unexpected")})");
        TopologyLog.NodeExited(Logger, Name, code, inc.ExpectedExit);
        inc.ExitCode = code;
        OnExitRecorded(inc);
        try
        {
            Exited?.Invoke(this, new NodeExitedEventArgs(this, inc.Number, code, inc.ExpectedExit));
        }
        catch (Exception ex)
        {
            TopologyLog.ExitedHandlerFailed(Logger, ex, Name);
        }

        inc.Exit.TrySetResult(code);
    }

    /// <summary>Replaces the <c>{port}</c> / <c>{port:name}</c> placeholders of a spec's argument or variable.</summary>
    protected string Substitute(string value) =>
        ProcessTopology.PortPlaceholder().Replace(value, m => ports[ProcessTopology.PortName(m)].ToString(CultureInfo.InvariantCulture));

    private async Task UnderControlAsync(Func<CancellationToken, Task> action, CancellationToken cancellationToken)
    {
        await control.WaitAsync(cancellationToken);
        try
        {
            await action(cancellationToken);
        }
        finally
        {
            control.Release();
        }
    }

    private async Task KillCoreAsync(CancellationToken cancellationToken)
    {
        if (current is not { HasExited: false } inc)
        {
            return;
        }

        inc.ExpectedExit = true;
        Announce(KillCommand, "kill");
        if (CanSignal(inc))
        {
            await SignalAsync(inc, NodeSignal.Kill, cancellationToken);
            if (KillNeedsThaw && inc.Paused)
            {
                await ThawAsync(inc, cancellationToken);
            }
        }

        await AwaitExitAsync(inc, Host.ExitTimeout, cancellationToken);
    }

    private async Task TerminateCoreAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (current is not { HasExited: false } inc || !CanSignal(inc))
        {
            return;
        }

        inc.ExpectedExit = true;
        Announce(TerminateCommand, $"terminate, grace {grace.TotalSeconds:0.###} s");
        await SignalAsync(inc, NodeSignal.Terminate, cancellationToken);
        if (inc.Paused)
        {
            // A stopped process keeps the signal pending, a frozen container too: let it run to handle it.
            await ThawAsync(inc, cancellationToken);
        }

        try
        {
            await inc.Exit.Task.WaitAsync(grace, Host.TimeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            if (!inc.HasExited)
            {
                Log.Write("---", $"harness: grace period over, {KillCommand}");
                await SignalAsync(inc, NodeSignal.Kill, cancellationToken);
            }

            await AwaitExitAsync(inc, Host.ExitTimeout, cancellationToken);
        }
    }

    private async Task AwaitExitAsync(TIncarnation inc, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await inc.Exit.Task.WaitAsync(timeout, Host.TimeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TopologyException($"node '{Name}' ({Describe(inc)}) did not exit within {timeout.TotalSeconds:0.###} s of SIGKILL");
        }
    }

    private TIncarnation RunningOrThrow(string action) =>
        current is { HasExited: false } inc && CanControl(inc)
            ? inc
            : throw new TopologyException($"cannot {action} node '{Name}': it is not running (exit code {ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"})");

    private async Task<NodeExitedDuringStartupException> ExitedDuringStartupAsync(TIncarnation inc)
    {
        var code = await inc.Exit.Task.WaitAsync(Host.ExitTimeout, Host.TimeProvider);
        return new NodeExitedDuringStartupException(Name, code, Log.Tail(30)) { HarnessInterfered = inc.ExpectedExit || inc.WasPaused };
    }

    private static Uri? ToUri(string value)
    {
        var first = value.Split(',', StringSplitOptions.TrimEntries)[0];
        return Uri.TryCreate(first.Contains("://", StringComparison.Ordinal) ? first : "tcp://" + first, UriKind.Absolute, out var uri) ? uri : null;
    }
}

/// <summary>The two signals the node contract sends a whole node.</summary>
internal enum NodeSignal
{
    /// <summary>SIGKILL: no chance to clean up.</summary>
    Kill,

    /// <summary>SIGTERM: a graceful stop, SIGKILL after the grace.</summary>
    Terminate,
}
