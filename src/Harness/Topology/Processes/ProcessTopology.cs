using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Chaos.Harness.Topology.Processes;

/// <summary>
/// The process back-end: every node is a child process on loopback, in its own process group, with
/// CHAOS_PARENT_PID set, its output in <c>&lt;run&gt;/logs/&lt;node&gt;.log</c>. Dispose kills every tree; so do
/// SIGINT, SIGTERM and process exit; against SIGKILL, children watch the harness, its <see cref="HarnessGuard"/> kills
/// those that cannot (stopped by a pause fault), and they record themselves for <see cref="ProcessReaper"/>.
/// </summary>
public sealed partial class ProcessTopology : ITopology
{
    private readonly ProcessTopologyOptions options;
    private readonly ILogger logger;
    private readonly Lock gate = new();
    private readonly List<ProcessNode> nodes = [];
    private readonly TopologyStateFile stateFile;
    private readonly NodeHost host;
    private IReadOnlyDictionary<string, string> nodeEnvironment = new Dictionary<string, string>(StringComparer.Ordinal);
    private bool disposed;

    public ProcessTopology(ProcessTopologyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        logger = options.LoggerFactory.CreateLogger("Chaos.Topology");
        RunDirectory = Path.GetFullPath(options.RunDirectory);
        LogDirectory = Path.Combine(RunDirectory, "logs");
        Directory.CreateDirectory(LogDirectory);
        var stateDirectory = options.StateDirectory ?? ProcessReaper.DefaultStateDirectory;
        if (options.ReapLeftovers)
        {
            ProcessReaper.Reap(stateDirectory, logger);
        }

        stateFile = new TopologyStateFile(stateDirectory, RunDirectory);
        SetsidPath = options.UseProcessGroups && OperatingSystem.IsLinux()
            ? new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists)
            : null;
        if (options.GuardChildren)
        {
            HarnessGuard.EnsureStarted(logger);
        }

        host = new NodeHost(options.TimeProvider, options.HealthPollInterval, options.HealthRequestTimeout, options.ExitTimeout, options.AllowRemote);
    }

    public string RunDirectory { get; }

    /// <summary><c>&lt;run&gt;/logs</c>.</summary>
    public string LogDirectory { get; }

    public bool AllowRemote => options.AllowRemote;

    /// <summary>The state file recording this topology's children (see <see cref="ProcessReaper"/>).</summary>
    public string StateFilePath => stateFile.Path;

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

    internal string? SetsidPath { get; }

    /// <summary>Variables every node carries on top of its spec's (<see cref="AddNodeEnvironment"/>).</summary>
    internal IReadOnlyDictionary<string, string> NodeEnvironment
    {
        get
        {
            lock (gate)
            {
                return nodeEnvironment;
            }
        }
    }

    /// <summary>
    /// Every node started from now on (restarts included) carries <paramref name="variables"/> on top of its spec's: what
    /// the run puts into every process of the system whatever its adapter, such as the slow-fsync shim
    /// (<c>Deployment/FsyncShim</c>). Call it before the system is deployed; a later call's value of a variable wins.
    /// </summary>
    public void AddNodeEnvironment(IReadOnlyDictionary<string, string> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        lock (gate)
        {
            var merged = new Dictionary<string, string>(nodeEnvironment, StringComparer.Ordinal);
            foreach (var (key, value) in variables)
            {
                merged[key] = value; // a later call's value wins
            }

            nodeEnvironment = merged;
        }
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
        var executable = ResolveExecutable(spec);
        return await NodeLaunches.LaunchOnFreePortsAsync(spec, ports => LaunchOnceAsync(spec, executable, ports, cancellationToken), logger);
    }

    private async Task<ITopologyNode> LaunchOnceAsync(NodeSpec spec, string executable, Dictionary<string, int> ports, CancellationToken cancellationToken)
    {
        ProcessNode node;
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (nodes.Any(n => n.Name == spec.Name))
            {
                throw new TopologyConfigurationException(nameof(NodeSpec.Name), $"a node named '{spec.Name}' already exists");
            }

            var log = new NodeLog(Path.Combine(LogDirectory, spec.Name + ".log"), options.TimeProvider);
            node = new ProcessNode(this, host, spec, executable, log, ports, logger);
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

            node.Dispose();
            SaveState();
            throw;
        }
    }

    public Task<IReadOnlyList<ITopologyNode>> LaunchAllAsync(IEnumerable<NodeSpec> specs, CancellationToken cancellationToken) =>
        NodeLaunches.LaunchAllAsync(specs, LaunchAsync, node => ((ProcessNode)node).KillQuietlyAsync(), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        List<ProcessNode> toStop;
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            toStop = [.. nodes];
        }

        await Task.WhenAll(toStop.Select(n => n.KillQuietlyAsync()));
        stateFile.Delete();
        foreach (var node in toStop)
        {
            node.Dispose();
        }

        host.Dispose();
    }

    internal void SaveState()
    {
        List<TopologyStateChild> children;
        lock (gate)
        {
            children = [.. nodes.Select(n => n.StateRecord()).OfType<TopologyStateChild>()];
        }

        try
        {
            stateFile.Write(children);
        }
        catch (IOException)
        {
            // The state file is a safety net; the run goes on without it.
        }
    }

    [GeneratedRegex(@"\{port(?::(?<name>[A-Za-z0-9_-]+))?\}")]
    internal static partial Regex PortPlaceholder();

    internal static string PortName(Match placeholder) =>
        placeholder.Groups["name"] is { Success: true } name ? name.Value : "endpoint";

    internal static Dictionary<string, int> AllocatePorts(NodeSpec spec)
    {
        var ports = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var text in spec.Arguments.Concat(spec.Environment.Values))
        {
            foreach (Match match in PortPlaceholder().Matches(text))
            {
                var name = PortName(match);
                if (!ports.ContainsKey(name))
                {
                    ports[name] = PortAllocator.Allocate();
                }
            }
        }

        return ports;
    }

    private static string ResolveExecutable(NodeSpec spec)
    {
        if (spec.FileName.Contains('/', StringComparison.Ordinal))
        {
            var full = Path.GetFullPath(spec.FileName, spec.WorkingDirectory ?? Environment.CurrentDirectory);
            return File.Exists(full)
                ? full
                : throw new TopologyConfigurationException(nameof(NodeSpec.FileName), $"node '{spec.Name}': executable '{full}' does not exist");
        }

        return FindOnPath(spec.FileName)
            ?? throw new TopologyConfigurationException(nameof(NodeSpec.FileName), $"node '{spec.Name}': executable '{spec.FileName}' is not on PATH");
    }

    /// <summary>The first file named <paramref name="name"/> in a directory of PATH, or null (a shell's lookup).</summary>
    internal static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
