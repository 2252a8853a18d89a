using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Chaos.Harness.Coverage;

/// <summary>One run's failure-path report, with the scenario it ran.</summary>
public sealed record ScenarioFailurePaths(string Scenario, string RunDirectory, FailurePathReport Report);

/// <summary>A failure path and the runs that reached it, by scenario.</summary>
public sealed record FailurePathReach(string Name, string Role, string Handles, IReadOnlyDictionary<string, long> HitsByScenario)
{
    public bool Reached => HitsByScenario.Values.Any(h => h > 0);
}

/// <summary>
/// Every failure path any run declared, with the scenarios that reached it (issue 11 §1): what <c>chaos coverage</c>
/// prints over a suite's run folders, and the nightly writes beside its matrix (docs/failure-paths.md).
/// </summary>
public sealed class FailurePathMatrix
{
    private FailurePathMatrix(IReadOnlyList<FailurePathReach> paths, IReadOnlyList<ScenarioFailurePaths> runs)
    {
        Paths = paths;
        Runs = runs;
    }

    public IReadOnlyList<FailurePathReach> Paths { get; }

    public IReadOnlyList<ScenarioFailurePaths> Runs { get; }

    public IReadOnlyList<string> Scenarios => [.. Runs.Select(r => r.Scenario).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    public int Reached => Paths.Count(p => p.Reached);

    public static FailurePathMatrix Build(IEnumerable<ScenarioFailurePaths> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var list = runs.ToList();
        var byName = new SortedDictionary<string, (string Role, string Handles, Dictionary<string, long> Hits)>(StringComparer.Ordinal);
        foreach (var run in list)
        {
            foreach (var path in run.Report.Paths)
            {
                if (!byName.TryGetValue(path.Name, out var row))
                {
                    row = (path.Role, path.Handles, new Dictionary<string, long>(StringComparer.Ordinal));
                    byName[path.Name] = row;
                }

                row.Hits[run.Scenario] = row.Hits.GetValueOrDefault(run.Scenario) + path.Hits;
            }
        }

        return new FailurePathMatrix([.. byName.Select(p => new FailurePathReach(p.Key, p.Value.Role, p.Value.Handles, p.Value.Hits))], list);
    }

    /// <summary>
    /// Finds every run under <paramref name="root"/> (itself included) that wrote a merged report, and the scenario each
    /// ran (its <c>results.json</c>'s <c>scenario</c>; the folder's name when that cannot be read). Reports that cannot
    /// be read are returned as problems, not skipped silently.
    /// </summary>
    public static (FailurePathMatrix Matrix, IReadOnlyList<string> Problems) Collect(string root)
    {
        var runs = new List<ScenarioFailurePaths>();
        var problems = new List<string>();
        var files = Directory.EnumerateFiles(root, FailurePathReport.FileName, new EnumerationOptions
        {
            RecurseSubdirectories = true,
            MaxRecursionDepth = 8,
            AttributesToSkip = FileAttributes.ReparsePoint,
            IgnoreInaccessible = true,
        });
        foreach (var file in files.Order(StringComparer.Ordinal))
        {
            var directory = Path.GetDirectoryName(file)!;
            try
            {
                runs.Add(new ScenarioFailurePaths(ScenarioOf(directory), directory, FailurePathReport.Load(file)));
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or JsonException)
            {
                problems.Add(e.Message);
            }
        }

        return (Build(runs), problems);
    }

    /// <summary>Markdown: a summary line, one row per path with the scenarios that reached it, then the unreached.</summary>
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"**{Reached} of {Paths.Count} failure paths reached** by {Runs.Count} run(s) of {Scenarios.Count} scenario(s): {string.Join(", ", Scenarios)}.\n\n");
        md.Append("| failure path | role | reached by (hits) | handles |\n|---|---|---|---|\n");
        foreach (var path in Paths)
        {
            var by = path.HitsByScenario.Where(h => h.Value > 0).OrderByDescending(h => h.Value).ThenBy(h => h.Key, StringComparer.Ordinal)
                .Select(h => string.Create(CultureInfo.InvariantCulture, $"{h.Key} ({h.Value})"));
            var reached = path.Reached ? string.Join(", ", by) : "**not reached**";
            md.Append(CultureInfo.InvariantCulture, $"| `{path.Name}` | {path.Role} | {reached} | {Escape(path.Handles)} |\n");
        }

        return md.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(new
    {
        declared = Paths.Count,
        reached = Reached,
        runs = Runs.Select(r => new { scenario = r.Scenario, directory = r.RunDirectory, reached = r.Report.Reached, unreadable = r.Report.Unreadable }),
        paths = Paths.Select(p => new { name = p.Name, role = p.Role, handles = p.Handles, reached = p.Reached, hits = p.HitsByScenario }),
    }, new JsonSerializerOptions { WriteIndented = true });

    private static string ScenarioOf(string runDirectory)
    {
        try
        {
            var results = Path.Combine(runDirectory, "results.json");
            if (File.Exists(results) && new FileInfo(results).Length <= 64 << 20)
            {
                using var stream = File.OpenRead(results);
                using var document = JsonDocument.Parse(stream);
                if (document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("scenario", out var s) && s.ValueKind == JsonValueKind.String && s.GetString() is { Length: > 0 } name)
                {
                    return name;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            // the folder's name below
        }

        return Path.GetFileName(runDirectory);
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
