using System.Collections.Concurrent;
using System.Globalization;
using Chaos.Harness.Topology.Processes;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;

namespace Chaos.Harness.Topology.Containers;

/// <summary>
/// The containers back-end: every node runs in its own container of the app image (Testcontainers for .NET creates
/// and starts it), on the host network and pid namespace, with the run folder mounted at the same path; output goes
/// to <c>&lt;run&gt;/logs/&lt;node&gt;.log</c> as in the process back-end. Containers carry a run label, are auto-removed
/// when they stop, are all removed on dispose and on process exit, and leftovers of dead harnesses are reaped by
/// <see cref="ContainerReaper"/> when the next topology is created.
/// </summary>
public sealed class ContainerTopology : ITopology
{
    private readonly ContainerTopologyOptions options;
    private readonly ILogger logger;
    private readonly Lock gate = new();
    private readonly List<ContainerNode> nodes = [];
    private readonly ConcurrentDictionary<string, (ContainerNode Node, ContainerIncarnation Incarnation)> byContainerId = new(StringComparer.Ordinal);
    private readonly NodeHost host;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task events;
    private bool disposed;

    private ContainerTopology(ContainerTopologyOptions options, DockerEngine engine, DockerClient client, ILogger logger)
    {
        this.options = options;
        this.logger = logger;
        Engine = engine;
        Client = client;
        RunDirectory = Path.GetFullPath(options.RunDirectory);
        LogDirectory = Path.Combine(RunDirectory, "logs");
        Directory.CreateDirectory(LogDirectory);
        RunId = Guid.NewGuid().ToString("N")[..12];
        NamePrefix = "chaos-" + RunId;
        TestcontainersLogger = options.LoggerFactory.CreateLogger("Chaos.Topology.Testcontainers");

        host = new NodeHost(options.TimeProvider, options.HealthPollInterval, options.HealthRequestTimeout, options.ExitTimeout, options.AllowRemote);
        events = Task.Run(() => PumpEventsAsync(options.TimeProvider.GetUtcNow() - TimeSpan.FromSeconds(2)));
        ContainerRunRegistry.Register(this);
    }

    public string RunDirectory { get; }

    /// <summary><c>&lt;run&gt;/logs</c>.</summary>
    public string LogDirectory { get; }

    public bool AllowRemote => options.AllowRemote;

    /// <summary>The value of the <c>org.chaos.run</c> label on every container of this topology.</summary>
    public string RunId { get; }

    /// <summary>The engine this topology talks to.</summary>
    public DockerEngine Engine { get; }

    public string Image => options.Image;

    public IReadOnlyList<ITopologyNode> Nodes
    {
        get
        {
            lock (gate)
            {
                return [.. nodes];
            }
        }
    }

    internal DockerClient Client { get; }

    internal ContainerImageLayout Layout => options.Layout;

    internal string NamePrefix { get; }

    internal ILogger TestcontainersLogger { get; }

    internal CancellationToken Stopping => stopping.Token;

    /// <summary>
    /// Connects to the engine, checks that the image is there, reaps leftovers of dead harnesses, and returns the
    /// topology. Throws <see cref="DockerUnavailableException"/> (what is missing, how to get it) before anything starts.
    /// </summary>
    public static async Task<ContainerTopology> CreateAsync(ContainerTopologyOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var engine = await DockerEngine.ConnectAsync(options.EngineTimeout, cancellationToken);
        var client = engine.CreateClient();
        var logger = options.LoggerFactory.CreateLogger("Chaos.Topology");
        try
        {
            await EnsureImageAsync(client, options.Image, cancellationToken);
            if (options.ReapLeftovers)
            {
                await ContainerReaper.ReapAsync(client, logger, cancellationToken);
            }
        }
        catch
        {
            client.Dispose();
            throw;
        }

        if (options.GuardChildren)
        {
            HarnessGuard.EnsureStarted(logger);
        }

        var topology = new ContainerTopology(options, engine, client, logger);
        ContainerLog.Connected(logger, engine.ToString(), options.Image, topology.RunId);
        return topology;
    }

    /// <summary>Checks, without starting anything, that an engine answers and <paramref name="image"/> is there.</summary>
    public static async Task<DockerEngine> CheckAvailableAsync(string image, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var engine = await DockerEngine.ConnectAsync(timeout, cancellationToken);
        using var client = engine.CreateClient();
        await EnsureImageAsync(client, image, cancellationToken);
        return engine;
    }

    public ITopologyNode GetNode(string name)
    {
        lock (gate)
        {
            return nodes.FirstOrDefault(n => n.Name == name) ?? throw new KeyNotFoundException($"no node named '{name}'");
        }
    }

    public async Task<ITopologyNode> LaunchAsync(NodeSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        return await NodeLaunches.LaunchOnFreePortsAsync(spec, ports => LaunchOnceAsync(spec, ports, cancellationToken), logger);
    }

    private async Task<ITopologyNode> LaunchOnceAsync(NodeSpec spec, Dictionary<string, int> ports, CancellationToken cancellationToken)
    {
        ContainerNode node;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (nodes.Any(n => n.Name == spec.Name))
            {
                throw new TopologyConfigurationException(nameof(NodeSpec.Name), $"a node named '{spec.Name}' already exists");
            }

            var log = new NodeLog(Path.Combine(LogDirectory, spec.Name + ".log"), options.TimeProvider);
            node = new ContainerNode(this, host, spec, log, ports, logger);
            nodes.Add(node);
        }

        try
        {
            await node.StartFirstAsync(cancellationToken);
            await node.WaitHealthyAsync(cancellationToken);
            return node;
        }
        catch (Exception ex)
        {
            TopologyLog.NodeStartFailed(logger, spec.Name, ex.Message);
            await node.KillQuietlyAsync();
            lock (gate)
            {
                nodes.Remove(node);
            }

            await node.ReleaseContainersAsync();
            node.Dispose();
            throw;
        }
    }

    public Task<IReadOnlyList<ITopologyNode>> LaunchAllAsync(IEnumerable<NodeSpec> specs, CancellationToken cancellationToken) =>
        NodeLaunches.LaunchAllAsync(specs, LaunchAsync, node => ((ContainerNode)node).KillQuietlyAsync(), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        List<ContainerNode> toStop;
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            toStop = [.. nodes];
        }

        ContainerRunRegistry.Unregister(this);
        await Task.WhenAll(toStop.Select(n => n.KillQuietlyAsync()));

        // Whatever is left of this run (a container whose kill failed, one created by a cancelled start).
        using (var bounded = new CancellationTokenSource(options.ExitTimeout, options.TimeProvider))
        {
            await RemoveRunContainersAsync(killFirst: false, bounded.Token);
        }

        await stopping.CancelAsync();
        try
        {
            await events.WaitAsync(TimeSpan.FromSeconds(5), options.TimeProvider);
        }
        catch (TimeoutException)
        {
            // the event stream will notice the cancellation on its own
        }

        await Task.WhenAll(toStop.Select(n => n.ReleaseContainersAsync()));
        foreach (var node in toStop)
        {
            node.Dispose();
        }

        host.Dispose();
        Client.Dispose();
        stopping.Dispose();
    }

    internal IReadOnlyDictionary<string, string> LabelsFor(string node, int incarnation) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [ContainerLabels.Topology] = "containers",
        [ContainerLabels.Run] = RunId,
        [ContainerLabels.RunDirectory] = RunDirectory,
        [ContainerLabels.Node] = node,
        [ContainerLabels.Incarnation] = incarnation.ToString(CultureInfo.InvariantCulture),
        [ContainerLabels.Harness] = ContainerLabels.ThisHarness,
    };

    internal void Track(string id, ContainerNode node, ContainerIncarnation incarnation) => byContainerId[id] = (node, incarnation);

    internal void Untrack(string? id)
    {
        if (id is not null)
        {
            byContainerId.TryRemove(id, out _);
        }
    }

    private static async Task EnsureImageAsync(IDockerClient client, string image, CancellationToken cancellationToken)
    {
        try
        {
            await client.Images.InspectImageAsync(image, cancellationToken);
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            throw new DockerUnavailableException(
                $"the image '{image}' is not in the local Docker engine. Build it with deploy/containers/build-images.sh "
                + "(no registry needed), or on a machine that can pull: docker build -f deploy/containers/Dockerfile; "
                + $"or name another image with {ContainerTopologyOptions.ImageVariable}.",
                ex);
        }
    }

    /// <summary>
    /// Follows the engine's <c>die</c> events of this run's containers: the only exit report that cannot be missed for
    /// an auto-removed container. <c>since</c> replays anything that happened while (re)connecting.
    /// </summary>
    private async Task PumpEventsAsync(DateTimeOffset since)
    {
        var progress = new SynchronousProgress<Message>(OnEvent);
        while (!stopping.IsCancellationRequested)
        {
            var parameters = new ContainerEventsParameters
            {
                Since = since.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["type"] = new Dictionary<string, bool> { ["container"] = true },
                    ["event"] = new Dictionary<string, bool> { ["die"] = true },
                    ["label"] = new Dictionary<string, bool> { [$"{ContainerLabels.Run}={RunId}"] = true },
                },
            };
            try
            {
                since = options.TimeProvider.GetUtcNow() - TimeSpan.FromSeconds(2);
                await Client.System.MonitorEventsAsync(parameters, progress, stopping.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException)
            {
                ContainerLog.EventStreamBroken(logger, ex.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), options.TimeProvider, stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void OnEvent(Message message)
    {
        if (message.Action != "die" || message.Actor?.ID is not { } id || !byContainerId.TryGetValue(id, out var entry))
        {
            return;
        }

        var code = message.Actor.Attributes is { } attributes
            && attributes.TryGetValue("exitCode", out var text)
            && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : -1;
        entry.Node.OnDied(entry.Incarnation, code);
    }

    /// <summary>
    /// Force-removes every container of this run and waits until the engine lists none (bounded by the token). With
    /// <paramref name="killFirst"/>, first sends SIGKILL to all of them at once: a killed container is removed by the
    /// engine itself (auto-remove), even if this process is gone before the removals finish.
    /// </summary>
    private async Task RemoveRunContainersAsync(bool killFirst, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var left = await ContainerReaper.ListAsync(Client, $"{ContainerLabels.Run}={RunId}", cancellationToken);
                if (left.Count == 0)
                {
                    return;
                }

                if (killFirst)
                {
                    await Task.WhenAll(left.Select(c => KillQuietlyAsync(c.ID, cancellationToken)));
                    killFirst = false;
                }

                await Task.WhenAll(left.Select(c => RemoveQuietlyAsync(c.ID, cancellationToken)));

                // An auto-removal in progress answers "conflict"; look again shortly.
                await Task.Delay(TimeSpan.FromMilliseconds(100), options.TimeProvider, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is DockerApiException or HttpRequestException or IOException or OperationCanceledException)
        {
            ContainerLog.RemoveFailed(logger, "(list)", ex.Message);
        }
    }

    private async Task KillQuietlyAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await Client.Containers.KillContainerAsync(id, new ContainerKillParameters { Signal = "KILL" }, cancellationToken);
        }
        catch (DockerApiException)
        {
            // not running, or gone
        }
    }

    private async Task RemoveQuietlyAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await ContainerReaper.RemoveAsync(Client, id, cancellationToken);
        }
        catch (DockerApiException ex)
        {
            ContainerLog.RemoveFailed(logger, id[..12], ex.Message);
        }
    }

    /// <summary>
    /// The harness is going down without dispose (SIGTERM, Ctrl-C, Environment.Exit): kill this run's containers at
    /// once (the engine removes them) and remove what it can, bounded; never throws.
    /// </summary>
    internal void RemoveEverythingNow()
    {
        try
        {
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(8));
            RemoveRunContainersAsync(killFirst: true, bounded.Token).Wait(TimeSpan.FromSeconds(9));
        }
        catch (Exception ex) when (ex is AggregateException or ObjectDisposedException)
        {
            // the process is going away; the reaper gets anything left at the next start
        }
    }
}
