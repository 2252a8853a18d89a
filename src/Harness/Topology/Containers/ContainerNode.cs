using System.Globalization;
using System.Text.RegularExpressions;
using Chaos.Harness.Topology.Processes;
using Docker.DotNet;
using Docker.DotNet.Models;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Configurations;
using DotNet.Testcontainers.Containers;
using DotNet.Testcontainers.Images;
using Microsoft.Extensions.Logging;

namespace Chaos.Harness.Topology.Containers;

/// <summary>
/// A node of the containers back-end: one container per incarnation (a restart starts a fresh container on the same
/// ports), host networking and host pid namespace, auto-removed by the engine when it stops.
/// </summary>
internal sealed class ContainerNode : ITopologyNode, IDisposable
{
    private readonly ContainerTopology owner;
    private readonly NodeLog log;
    private readonly ILogger logger;
    private readonly SemaphoreSlim control = new(1, 1);
    private readonly Dictionary<string, int> ports;
    private readonly List<IContainer> containers = [];
    private volatile ContainerIncarnation? current;
    private int incarnation;

    public ContainerNode(ContainerTopology owner, NodeSpec spec, NodeLog log, Dictionary<string, int> ports, ILogger logger)
    {
        this.owner = owner;
        Spec = spec;
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

    public int? ProcessId => current is { Pid: > 0 } c ? c.Pid : null;

    public int? ExitCode => current?.ExitCode;

    public int Incarnation => incarnation;

    public IReadOnlyDictionary<string, int> Ports => ports;

    /// <summary>The current incarnation's container id (null before the first start).</summary>
    public string? ContainerId => current?.Id;

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
    public Task StartFirstAsync(CancellationToken cancellationToken) => StartIncarnationAsync(cancellationToken);

    public async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        var inc = current ?? throw new InvalidOperationException($"node '{Name}' was never started");
        var readiness = Spec.Readiness;
        using var timeout = new CancellationTokenSource(Spec.StartupTimeout, owner.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var waitingFor = "the container to start";
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
                    if (inc.HasExited)
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
            TopologyLog.NodeControl(logger, Name, "docker pause");
            log.Write("---", "harness: docker pause (cgroup freezer)");

            // The engine answers once the freezer reports the cgroup frozen, so "paused" is a fact when this returns.
            await inc.Container!.PauseAsync(cancellationToken);
            inc.Paused = true;
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
            TopologyLog.NodeControl(logger, Name, "docker unpause");
            log.Write("---", "harness: docker unpause");
            await inc.Container!.UnpauseAsync(cancellationToken);
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
            await StartIncarnationAsync(cancellationToken);
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

    /// <summary>Kills the container and waits (bounded) for its death; never throws. Used on failed starts and dispose.</summary>
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
        catch (Exception ex) when (ex is TopologyException or OperationCanceledException or DockerApiException or HttpRequestException)
        {
            // Last resort: the topology removes every container of the run by label on dispose.
        }
    }

    /// <summary>The engine reported that the incarnation's container died (docker event <c>die</c>).</summary>
    internal void OnDied(ContainerIncarnation inc, int exitCode)
    {
        if (inc.Died.TrySetResult(exitCode))
        {
            _ = FinishExitAsync(inc, exitCode);
        }
    }

    /// <summary>Releases Testcontainers' handles (and their engine connections) of every incarnation; the containers are gone by then.</summary>
    public async Task ReleaseContainersAsync()
    {
        IContainer[] all;
        lock (containers)
        {
            all = [.. containers];
            containers.Clear();
        }

        foreach (var container in all)
        {
            try
            {
                await container.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5), owner.TimeProvider);
            }
            catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or TimeoutException or InvalidOperationException)
            {
                // already removed by the engine; nothing else to release
            }
        }
    }

    public void Dispose()
    {
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
        TopologyLog.NodeControl(logger, Name, "docker kill -s KILL");
        log.Write("---", "harness: docker kill -s KILL (kill)");
        if (inc.Id is { } id)
        {
            await SignalAsync(id, "KILL", cancellationToken);
            if (inc.Paused)
            {
                // A frozen task only dies when thawed.
                await UnpauseQuietlyAsync(inc, cancellationToken);
            }
        }

        await AwaitExitAsync(inc, owner.ExitTimeout, cancellationToken);
    }

    private async Task TerminateCoreAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        if (current is not { HasExited: false } inc || inc.Id is not { } id)
        {
            return;
        }

        inc.ExpectedExit = true;
        TopologyLog.NodeControl(logger, Name, "docker kill -s TERM");
        log.Write("---", $"harness: docker kill -s TERM (terminate, grace {grace.TotalSeconds:0.###} s)");

        // SIGTERM, the grace, then SIGKILL, timed here rather than by `docker stop` (whole seconds only).
        await SignalAsync(id, "TERM", cancellationToken);
        if (inc.Paused)
        {
            await UnpauseQuietlyAsync(inc, cancellationToken);
        }

        try
        {
            await inc.Exit.Task.WaitAsync(grace, owner.TimeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            if (!inc.HasExited)
            {
                log.Write("---", "harness: grace period over, docker kill -s KILL");
                await SignalAsync(id, "KILL", cancellationToken);
            }

            await AwaitExitAsync(inc, owner.ExitTimeout, cancellationToken);
        }
    }

    private async Task SignalAsync(string id, string signal, CancellationToken cancellationToken)
    {
        try
        {
            await owner.Client.Containers.KillContainerAsync(id, new ContainerKillParameters { Signal = signal }, cancellationToken);
        }
        catch (DockerContainerNotFoundException)
        {
            // already gone
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            // not running any more; its die event is on the way
        }
    }

    private async Task UnpauseQuietlyAsync(ContainerIncarnation inc, CancellationToken cancellationToken)
    {
        try
        {
            await owner.Client.Containers.UnpauseContainerAsync(inc.Id!, cancellationToken);
        }
        catch (DockerApiException)
        {
            // not paused, or gone
        }

        inc.Paused = false;
    }

    private async Task AwaitExitAsync(ContainerIncarnation inc, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await inc.Exit.Task.WaitAsync(timeout, owner.TimeProvider, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TopologyException($"node '{Name}' (container {inc.ContainerName}) did not stop within {timeout.TotalSeconds:0.###} s of SIGKILL");
        }
    }

    private ContainerIncarnation RunningOrThrow(string action) =>
        current is { HasExited: false, Container: not null } inc
            ? inc
            : throw new TopologyException($"cannot {action} node '{Name}': it is not running (exit code {ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"})");

    private async Task StartIncarnationAsync(CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref incarnation);
        var inc = new ContainerIncarnation(number, $"{owner.NamePrefix}-{Name}-{number.ToString(CultureInfo.InvariantCulture)}");
        var command = owner.Layout.Map(Spec, [.. Spec.Arguments.Select(Substitute)]);
        var environment = Spec.Environment.ToDictionary(e => e.Key, e => Substitute(e.Value), StringComparer.Ordinal);

        // With the host pid namespace the harness pid means the same inside: our programs exit when it is gone, and
        // the engine then removes their container, so a SIGKILLed harness leaves nothing behind.
        environment[ParentWatch.EnvironmentVariable] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var workingDirectory = Spec.WorkingDirectory is { } wd ? Path.GetFullPath(wd) : owner.RunDirectory;

        var builder = new ContainerBuilder(owner.Image)
            .WithName(inc.ContainerName)
            .WithLabel(owner.LabelsFor(Name, number))
            .WithCommand([.. command.Command])
            .WithEnvironment(environment)
            .WithWorkingDirectory(workingDirectory)
            .WithBindMount(owner.RunDirectory, owner.RunDirectory, AccessMode.ReadWrite)
            .WithAutoRemove(true)
            .WithCleanUp(false)
            .WithImagePullPolicy(PullPolicy.Never)
            .WithLogger(owner.TestcontainersLogger)
            .WithCreateParameterModifier(p =>
            {
                // Loopback stays the host's loopback (the embedded cluster binds 127.0.0.1), and pids are host pids.
                p.HostConfig ??= new HostConfig();
                p.HostConfig.NetworkMode = "host";
                p.HostConfig.PidMode = "host";
            });
        foreach (var mount in command.ReadOnlyMounts.Where(m => !IsUnder(m, owner.RunDirectory)).Distinct(StringComparer.Ordinal))
        {
            builder = builder.WithBindMount(mount, mount, AccessMode.ReadOnly);
        }

        if (!IsUnder(workingDirectory, owner.RunDirectory))
        {
            builder = builder.WithBindMount(workingDirectory, workingDirectory, AccessMode.ReadWrite);
        }

        var container = builder.Build();
        inc.Container = container;
        lock (containers)
        {
            containers.Add(container);
        }


        // Attach before the container starts (as `docker run` does) so no line is lost, even of a container that dies
        // at once and is removed by the engine before anyone could ask for its logs.
        container.Created += (_, _) => AttachBeforeStart(inc, container.Id);
        current = inc;
        var commandLine = string.Join(' ', command.Command);
        log.Write("---", $"start #{number}: container {inc.ContainerName} ({owner.Image}): {commandLine}");
        try
        {
            await container.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A container that exited at once fails Testcontainers' start checks; its death (and log) tells why.
            if (inc.Id is not null && await Task.WhenAny(inc.Died.Task, Task.Delay(TimeSpan.FromSeconds(3), owner.TimeProvider, CancellationToken.None)) == inc.Died.Task)
            {
                return;
            }

            log.Write("---", $"harness: container start failed: {ex.Message}");
            if (inc.Id is { } id)
            {
                await ContainerReaper.RemoveAsync(owner.Client, id, CancellationToken.None);
                OnDied(inc, -1);
            }
            else
            {
                inc.Died.TrySetResult(-1);
                inc.Exit.TrySetResult(-1);
            }

            throw new TopologyException($"node '{Name}': cannot start container {inc.ContainerName} from image '{owner.Image}': {ex.Message}", ex);
        }
        catch (OperationCanceledException)
        {
            // Cancelled between create and start, or while Testcontainers waited: the container may never have run,
            // so no death will be reported for it. Remove it and close the incarnation here.
            log.Write("---", "harness: start cancelled; container removed");
            if (inc.Id is { } id)
            {
                await ContainerReaper.RemoveAsync(owner.Client, id, CancellationToken.None);
                await Task.WhenAny(inc.Died.Task, Task.Delay(TimeSpan.FromSeconds(2), owner.TimeProvider, CancellationToken.None));
            }

            inc.ExpectedExit = true;
            OnDied(inc, -1);
            throw;
        }

        try
        {
            var inspect = await owner.Client.Containers.InspectContainerAsync(container.Id, cancellationToken);
            inc.Pid = (int)(inspect.State?.Pid ?? 0);
        }
        catch (DockerContainerNotFoundException)
        {
            // died and was removed already; the die event has the rest
        }

        TopologyLog.NodeStarted(logger, Name, number, inc.Pid, commandLine);
    }

    private void AttachBeforeStart(ContainerIncarnation inc, string id)
    {
        inc.Id = id;
        owner.Track(id, this, inc);

        // Testcontainers raises Created synchronously between create and start: block here until the attach is
        // established, so the start cannot overtake it.
        var stream = owner.Client.Containers.AttachContainerAsync(
            id,
            new ContainerAttachParameters { Stream = true, Stdout = true, Stderr = true },
            CancellationToken.None).GetAwaiter().GetResult();
        inc.Output = Task.Run(() => PumpOutputAsync(inc, stream));
    }

    private async Task PumpOutputAsync(ContainerIncarnation inc, MultiplexedStream stream)
    {
        var buffer = new byte[16 * 1024];
        var stdout = new LineAssembler(line => OnLine(inc, "out", line));
        var stderr = new LineAssembler(line => OnLine(inc, "err", line));
        try
        {
            using (stream)
            {
                while (true)
                {
                    var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, owner.Stopping);
                    if (read.EOF)
                    {
                        break;
                    }

                    (read.Target == MultiplexedStream.TargetStream.StandardError ? stderr : stdout).Append(buffer.AsSpan(0, read.Count));
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // the engine closed the stream, or the topology is going away
        }

        stdout.Flush();
        stderr.Flush();
    }

    private void OnLine(ContainerIncarnation inc, string stream, string line)
    {
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

    private async Task FinishExitAsync(ContainerIncarnation inc, int code)
    {
        // Drain the output so the log and the tail are complete before anyone hears of the exit.
        await Task.WhenAny(inc.Output, Task.Delay(TimeSpan.FromSeconds(3), owner.TimeProvider, CancellationToken.None));
        log.Write("---", $"exit #{inc.Number}: code {code} ({(inc.ExpectedExit ? "caused by the harness" : "unexpected")})");
        TopologyLog.NodeExited(logger, Name, code, inc.ExpectedExit);
        inc.ExitCode = code;
        inc.Paused = false;
        owner.Untrack(inc.Id);

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

    private async Task<NodeExitedDuringStartupException> ExitedDuringStartupAsync(ContainerIncarnation inc)
    {
        var code = await inc.Exit.Task.WaitAsync(owner.ExitTimeout, owner.TimeProvider);
        return new NodeExitedDuringStartupException(Name, code, log.Tail(30));
    }

    private string Substitute(string value) =>
        ProcessTopology.PortPlaceholder().Replace(value, m => ports[ProcessTopology.PortName(m)].ToString(CultureInfo.InvariantCulture));

    private static bool IsUnder(string path, string directory)
    {
        var relative = Path.GetRelativePath(directory, path);
        return relative == "." || (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative));
    }

    private static Uri? ToUri(string value)
    {
        var first = value.Split(',', StringSplitOptions.TrimEntries)[0];
        return Uri.TryCreate(first.Contains("://", StringComparison.Ordinal) ? first : "tcp://" + first, UriKind.Absolute, out var uri) ? uri : null;
    }
}
