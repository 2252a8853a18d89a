using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Chaos.Harness.Coverage;

/// <summary>One failure path as the system under test declared it, and how many times its nodes ran it in a run.</summary>
/// <param name="Name">The path's stable name, e.g. <c>api.outbox.produce-failed</c>.</param>
/// <param name="Role">The role whose code holds the branch.</param>
/// <param name="Handles">What went wrong when the branch runs.</param>
/// <param name="Hits">Runs of the branch, summed over every node and incarnation of the run.</param>
public sealed record FailurePathCount(string Name, string Role, string Handles, long Hits);

/// <summary>
/// Which failure-handling branches of the system a run reached (issue 11 §1, docs/failure-paths.md). Each node of a
/// system started with <c>--failure-paths DIR</c> writes every path it declares, reached or not, with its hit count, to
/// <c>DIR/&lt;instance&gt;.&lt;pid&gt;.json</c> every second and on shutdown; this reads those files — written by
/// processes the harness does not trust, so each is bounded, checked field by field and, when bad, listed as unreadable
/// rather than believed — and merges them. The harness learns where its faults went; it judges nothing by these counts.
/// </summary>
public sealed partial record FailurePathReport(IReadOnlyList<FailurePathCount> Paths, int Files, IReadOnlyList<string> Unreadable)
{
    /// <summary>The folder of the run directory the nodes write into.</summary>
    public const string DirectoryName = "failure-paths";

    /// <summary>The merged report the harness writes into the run directory.</summary>
    public const string FileName = "failure-paths.json";

    /// <summary>What a node's file says it is.</summary>
    public const string NodeFormat = "chaos.failure-paths/1";

    /// <summary>What the merged report says it is.</summary>
    public const string RunFormat = "chaos.failure-paths.run/1";

    /// <summary>A node's file larger than this is refused unread.</summary>
    public const long MaxFileBytes = 1 << 20;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public int Declared => Paths.Count;

    public int Reached => Paths.Count(p => p.Hits > 0);

    /// <summary>One line for a run's summary: how many declared paths were reached, and any file that could not be read.</summary>
    public string Summary() => Files == 0 && Unreadable.Count == 0
        ? "no node wrote its failure paths"
        : string.Create(CultureInfo.InvariantCulture, $"{Reached} of {Declared} reached ({FileName})")
            + (Unreadable.Count == 0 ? "" : $"; {Unreadable.Count} node file(s) unreadable: {string.Join("; ", Unreadable)}");

    /// <summary>Reads and merges every node file under <paramref name="runDirectory"/>'s <see cref="DirectoryName"/>; an empty report when there is none.</summary>
    public static FailurePathReport ReadNodes(string runDirectory)
    {
        var directory = Path.Combine(runDirectory, DirectoryName);
        var merged = new Dictionary<string, FailurePathCount>(StringComparer.Ordinal);
        var unreadable = new List<string>();
        var files = 0;
        if (!Directory.Exists(directory))
        {
            return new FailurePathReport([], 0, []);
        }

        foreach (var file in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            var problem = ReadNode(file, merged);
            if (problem is null)
            {
                files++;
            }
            else
            {
                unreadable.Add($"{Path.GetFileName(file)}: {problem}");
            }
        }

        return new FailurePathReport([.. merged.Values.OrderBy(p => p.Name, StringComparer.Ordinal)], files, unreadable);
    }

    /// <summary>Writes the merged report to <c>runDirectory/failure-paths.json</c>.</summary>
    public async Task SaveAsync(string runDirectory, CancellationToken cancellationToken)
    {
        var json = new
        {
            format = RunFormat,
            declared = Declared,
            reached = Reached,
            files = Files,
            unreadable = Unreadable,
            paths = Paths.Select(p => new { name = p.Name, role = p.Role, handles = p.Handles, hits = p.Hits }),
        };
        await File.WriteAllTextAsync(Path.Combine(runDirectory, FileName), JsonSerializer.Serialize(json, Indented) + "\n", cancellationToken);
    }

    /// <summary>Reads a merged report the harness wrote (<see cref="SaveAsync"/>); throws <see cref="InvalidDataException"/> naming what is wrong.</summary>
    public static FailurePathReport Load(string file)
    {
        var merged = new Dictionary<string, FailurePathCount>(StringComparer.Ordinal);
        var files = 0;
        List<string> unreadable = [];
        var problem = ReadFile(file, RunFormat, merged, root =>
        {
            // read from the same parse as the paths: the file is opened once
            files = root.TryGetProperty("files", out var f) && f.ValueKind == JsonValueKind.Number ? f.GetInt32() : 0;
            unreadable = root.TryGetProperty("unreadable", out var u) && u.ValueKind == JsonValueKind.Array
                ? [.. u.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)]
                : [];
        });
        if (problem is not null)
        {
            throw new InvalidDataException($"{file}: {problem}");
        }

        return new FailurePathReport([.. merged.Values.OrderBy(p => p.Name, StringComparer.Ordinal)], files, unreadable);
    }

    private static string? ReadNode(string file, Dictionary<string, FailurePathCount> merged)
    {
        // a file is merged whole or not at all: read it into its own table first
        var own = new Dictionary<string, FailurePathCount>(StringComparer.Ordinal);
        var problem = ReadFile(file, NodeFormat, own);
        if (problem is not null)
        {
            return problem;
        }

        foreach (var path in own.Values)
        {
            merged[path.Name] = merged.TryGetValue(path.Name, out var seen) ? seen with { Hits = seen.Hits + path.Hits } : path;
        }

        return null;
    }

    private static string? ReadFile(string file, string format, Dictionary<string, FailurePathCount> into, Action<JsonElement>? rest = null)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(file);
            if (info.Length > MaxFileBytes)
            {
                return $"{info.Length} bytes, more than the {MaxFileBytes} a failure-path file may hold";
            }

            bytes = File.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return "not a JSON object";
            }

            if (!root.TryGetProperty("format", out var f) || f.ValueKind != JsonValueKind.String || f.GetString() != format)
            {
                return $"\"format\" is not \"{format}\"";
            }

            if (!root.TryGetProperty("paths", out var paths) || paths.ValueKind != JsonValueKind.Array)
            {
                return "\"paths\" is not an array";
            }

            var index = 0;
            foreach (var path in paths.EnumerateArray())
            {
                var at = $"paths[{index++}]";
                if (path.ValueKind != JsonValueKind.Object)
                {
                    return $"{at} is not an object";
                }

                var name = Text(path, "name", 200);
                if (name is null || !NamePattern().IsMatch(name))
                {
                    return $"{at}.name is not a path name (lowercase letters, digits, '.', '-'; at most 200)";
                }

                var role = Text(path, "role", 50);
                var handles = Text(path, "handles", 1000);
                if (role is null || handles is null)
                {
                    return $"{at} ({name}): \"role\" and \"handles\" must be strings (at most 50 and 1000 characters)";
                }

                if (!path.TryGetProperty("hits", out var h) || h.ValueKind != JsonValueKind.Number || !h.TryGetInt64(out var hits) || hits < 0)
                {
                    return $"{at} ({name}): \"hits\" is not a whole number ≥ 0";
                }

                if (!into.TryAdd(name, new FailurePathCount(name, role, handles, hits)))
                {
                    return $"{at}: \"{name}\" is listed twice";
                }
            }

            rest?.Invoke(root);
            return null;
        }
        catch (JsonException e)
        {
            return $"not JSON: {e.Message}";
        }
    }

    private static string? Text(JsonElement element, string property, int max) =>
        element.TryGetProperty(property, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s && s.Length <= max ? s : null;

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]*$")]
    private static partial Regex NamePattern();
}
