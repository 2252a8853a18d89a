using System.Globalization;
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
/// ports), host networking and host pid namespace, auto-removed by the engine when it stops; signalled, frozen and
/// thawed through the engine. The node contract itself (readiness, the control lock, terminate-then-kill, the exit
/// report) is <see cref="TopologyNode{TIncarnation}"/>'s.
/// </summary>
internal sealed class ContainerNode : TopologyNode<ContainerIncarnation>
{
    private readonly ContainerTopology owner;
    private readonly List<IContainer> containers = [];

    public ContainerNode(ContainerTopology owner, NodeHost host, NodeSpec spec, NodeLog log, Dictionary<string, int> ports, ILogger logger)
        : base(host, spec, log, ports, logger)
    {
        this.owner = owner;
    }

    /// <summary>The current incarnation's container id (null before the first start).</summary>
    public string? ContainerId => Current?.Id;

    protected override string StartingWhat => "the container to start";

    protected override string KillCommand => "docker kill -s KILL";

    protected override string TerminateCommand => "docker kill -s TERM";

    // A frozen task only dies when thawed.
    protected override bool KillNeedsThaw => true;

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
                await container.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5), Host.TimeProvider);
            }
            catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or TimeoutException or InvalidOperationException)
            {
                // already removed by the engine; nothing else to release
            }
        }
    }

    protected override bool CanSignal(ContainerIncarnation inc) => inc.Id is not null;

    protected override bool CanControl(ContainerIncarnation inc) => inc.Container is not null;

    // Last resort after a failed quiet kill: the topology removes every container of the run by label on dispose.
    protected override bool IsControlFailure(Exception exception) => exception is DockerApiException or HttpRequestException;

    protected override string Describe(ContainerIncarnation inc) => $"container {inc.ContainerName}";

    protected override async Task SignalAsync(ContainerIncarnation inc, NodeSignal signal, CancellationToken cancellationToken)
    {
        // SIGTERM, the grace, then SIGKILL are timed by the node contract rather than by `docker stop` (whole seconds only).
        try
        {
            await owner.Client.Containers.KillContainerAsync(inc.Id!, new ContainerKillParameters { Signal = signal == NodeSignal.Kill ? "KILL" : "TERM" }, cancellationToken);
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

    protected override async Task ThawAsync(ContainerIncarnation inc, CancellationToken cancellationToken)
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

    protected override async Task PauseCoreAsync(ContainerIncarnation inc, CancellationToken cancellationToken)
    {
        Announce("docker pause", "cgroup freezer");

        // The engine answers once the freezer reports the cgroup frozen, so "paused" is a fact when this returns.
        await inc.Container!.PauseAsync(cancellationToken);
        inc.Paused = true;
    }

    protected override async Task ResumeCoreAsync(ContainerIncarnation inc, CancellationToken cancellationToken)
    {
        Announce("docker unpause", null);
        await inc.Container!.UnpauseAsync(cancellationToken);
        inc.Paused = false;
    }

    protected override void OnExitRecorded(ContainerIncarnation inc)
    {
        inc.Paused = false;
        owner.Untrack(inc.Id);
    }

    protected override async Task StartIncarnationAsync(CancellationToken cancellationToken)
    {
        var number = NextIncarnation();
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
        Current = inc;
        var commandLine = string.Join(' ', command.Command);
        Log.Write("---", $"start #{number}: container {inc.ContainerName} ({owner.Image}): {commandLine}");
        try
        {
            await container.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A container that exited at once fails Testcontainers' start checks; its death (and log) tells why.
            if (inc.Id is not null && await Task.WhenAny(inc.Died.Task, Task.Delay(TimeSpan.FromSeconds(3), Host.TimeProvider, CancellationToken.None)) == inc.Died.Task)
            {
                return;
            }

            Log.Write("---", $"harness: container start failed: {ex.Message}");
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
            Log.Write("---", "harness: start cancelled; container removed");
            if (inc.Id is { } id)
            {
                await ContainerReaper.RemoveAsync(owner.Client, id, CancellationToken.None);
                await Task.WhenAny(inc.Died.Task, Task.Delay(TimeSpan.FromSeconds(2), Host.TimeProvider, CancellationToken.None));
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

        TopologyLog.NodeStarted(Logger, Name, number, inc.Pid, commandLine);
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

    private async Task FinishExitAsync(ContainerIncarnation inc, int code)
    {
        // Drain the output so the log and the tail are complete before anyone hears of the exit.
        await Task.WhenAny(inc.Output, Task.Delay(TimeSpan.FromSeconds(3), Host.TimeProvider, CancellationToken.None));
        ReportExit(inc, code);
    }

    private static bool IsUnder(string path, string directory)
    {
        var relative = Path.GetRelativePath(directory, path);
        return relative == "." || (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative));
    }
}
