using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Chaos.Harness.Topology;
using Chaos.Harness.Topology.Processes;

namespace Chaos.Harness.Tests.Topology;

/// <summary>Finds the probe and other build outputs, makes run folders, and checks pids against /proc.</summary>
internal static partial class TopologyTestSupport
{
    public static readonly TimeSpan GoneWithin = TimeSpan.FromSeconds(10);

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Debug or Release: the configuration this test assembly was built in (…/bin/&lt;cfg&gt;/net10.0/).</summary>
    public static string Configuration { get; } = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;

    public static string ProbeDll { get; } = Path.Combine(RepoRoot, "tests", "Support", "Chaos.Probe", "bin", Configuration, "net10.0", "Chaos.Probe.dll");

    public static string ChaosDll { get; } = Path.Combine(RepoRoot, "src", "Scenarios", "bin", Configuration, "net10.0", "chaos.dll");

    public static LaunchCommand Probe => new(ToolLocator.DotnetHost(), [ProbeDll]);

    /// <summary>A new folder under $TMPDIR/chaos-tests, removed when the test assembly ends (<see cref="TempDirectories"/>).</summary>
    public static string NewTempDirectory(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), "chaos-tests", $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        TempDirectories.Created.Add(dir);
        return dir;
    }

    public static ProcessTopologyOptions Options(bool allowRemote = false) => new()
    {
        RunDirectory = NewTempDirectory("run"),
        StateDirectory = NewTempDirectory("state"),
        ReapLeftovers = false,
        AllowRemote = allowRemote,
    };

    /// <summary>A topology-serve node, ready when it has announced its endpoint and /healthz answers.</summary>
    public static NodeSpec Serve(string name, params string[] extra) =>
        NodeSpec.For(name, "probe", Probe, ["topology-serve", .. extra]) with
        {
            Readiness = ReadinessCheck.LineThenHttp(@"^listening: (?<endpoint>\S+)$", "/healthz"),
            StartupTimeout = TimeSpan.FromSeconds(30),
        };

    public static bool IsAlive(int pid) => ProcFs.TryReadStat(pid, out var stat) && !stat.IsZombie;

    /// <summary>Waits (bounded) until none of the pids is alive; returns those still alive at the deadline.</summary>
    public static async Task<IReadOnlyList<int>> WaitUntilGoneAsync(IEnumerable<int> pids, TimeSpan within)
    {
        var list = pids.ToList();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var alive = list.Where(IsAlive).ToList();
            if (alive.Count == 0 || clock.Elapsed > within)
            {
                return alive;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <summary>Pids a node's log announced: "starting pid N" and "grandchild: N".</summary>
    public static IReadOnlyList<int> PidsInLog(string logPath) =>
        [.. PidLine().Matches(File.ReadAllText(logPath)).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    public static async Task<string> WaitForLineAsync(StreamReader reader, string prefix, TimeSpan within, List<string> seen)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(within);
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            seen.Add(line);
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"no line starting with '{prefix}'; saw: {string.Join(" | ", seen)}");
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Chaos.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Chaos.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"(?:starting pid|grandchild:) (\d+)")]
    private static partial Regex PidLine();
}
