using System.Text.Json;

namespace Chaos.Harness.Topology.Processes;

/// <summary>
/// A live topology's record of its children in the state directory (<c>topology-&lt;pid&gt;-&lt;id&gt;.json</c>),
/// rewritten atomically on every start and exit and deleted on dispose. A file left behind means its harness died
/// without cleaning up (SIGKILL); <see cref="ProcessReaper"/> reads it at the next start.
/// </summary>
internal sealed class TopologyStateFile
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private readonly Lock gate = new();
    private readonly string runDirectory;
    private bool deleted;

    public TopologyStateFile(string stateDirectory, string runDirectory)
    {
        OwnedFiles.EnsurePrivateDirectory(stateDirectory);
        this.runDirectory = runDirectory;
        Path = System.IO.Path.Combine(stateDirectory, $"topology-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
    }

    public string Path { get; }

    public void Write(IEnumerable<TopologyStateChild> children)
    {
        lock (gate)
        {
            if (deleted)
            {
                return;
            }

            var self = ProcFs.TryReadStat(Environment.ProcessId, out var stat) ? stat.StartTime : 0;
            var state = new TopologyState(ProcFs.BootId(), Environment.ProcessId, self, runDirectory, [.. children]);
            var temp = Path + ".tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(state, Json));
            File.Move(temp, Path, overwrite: true);
        }
    }

    public void Delete()
    {
        lock (gate)
        {
            deleted = true;
            File.Delete(Path);
        }
    }

    public static TopologyState? Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<TopologyState>(File.ReadAllText(path), Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
