using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Chaos.Harness.Faults.Schedule;

/// <summary>
/// schedule.json and incident files. One format, two syntaxes: a generated schedule.json is a valid incident
/// file, and an incident file is a schedule written by hand (JSON or YAML). Saving is byte-for-byte stable:
/// fixed property order, invariant culture, sorted parameters, LF newlines, no generation timestamp.
/// Loading validates against an optional <see cref="FaultCatalogue"/> and reports every problem with its line.
/// </summary>
public static class FaultScheduleFile
{
    /// <summary>The value of the <c>format</c> field.</summary>
    public const string FormatName = "chaos-fault-schedule";

    /// <summary>The value of the <c>version</c> field.</summary>
    public const int FormatVersion = 1;

    /// <summary>The file's bytes (UTF-8, no BOM, ending in a newline).</summary>
    public static byte[] Serialize(FaultSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n" }))
        {
            json.WriteStartObject();
            json.WriteString("format", FormatName);
            json.WriteNumber("version", FormatVersion);
            WriteIfPresent(json, "name", schedule.Name);
            WriteIfPresent(json, "description", schedule.Description);
            WriteIfPresent(json, "scenario", schedule.Scenario);
            if (schedule.Seed is { } seed)
            {
                json.WriteNumber("seed", seed);
            }

            if (schedule.Duration is { } duration)
            {
                json.WriteString("duration", DurationText.Format(duration));
            }

            json.WriteStartArray("faults");
            foreach (var entry in schedule.Entries)
            {
                json.WriteStartObject();
                json.WriteString("at", DurationText.Format(entry.At));
                json.WriteString("fault", entry.Fault);
                json.WriteString("target", entry.Target);
                if (entry.Duration is { } d)
                {
                    json.WriteString("duration", DurationText.Format(d));
                }

                if (entry.Parameters.Count > 0)
                {
                    json.WriteStartObject("parameters");
                    foreach (var (name, value) in entry.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
                    {
                        json.WriteString(name, value);
                    }

                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Writes schedule.json (or any path).</summary>
    public static Task SaveAsync(FaultSchedule schedule, string path, CancellationToken cancellationToken = default) =>
        File.WriteAllBytesAsync(path, Serialize(schedule), cancellationToken);

    /// <summary>
    /// Parses a schedule or incident. <paramref name="catalogue"/>, when given, limits fault names and targets;
    /// <paramref name="sourceName"/> is how errors name the file. Throws <see cref="ScheduleFileException"/>.
    /// </summary>
    public static FaultSchedule Parse(string text, ScheduleFileFormat format, FaultCatalogue? catalogue = null, string sourceName = "<schedule>")
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        var root = format == ScheduleFileFormat.Yaml ? YamlSourceReader.Read(text, sourceName) : JsonSourceReader.Read(text, sourceName);
        return new ScheduleBinder(sourceName, catalogue).Bind(root);
    }

    /// <summary>Loads a file; <c>.yaml</c> and <c>.yml</c> are YAML, anything else JSON.</summary>
    public static async Task<FaultSchedule> LoadAsync(string path, FaultCatalogue? catalogue = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string text;
        try
        {
            text = await ReadBoundedAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ScheduleFileException(new ScheduleFileError(path, 0, 0, "(file)", $"cannot read the file: {ex.Message}"));
        }

        return Parse(text, FormatOf(path), catalogue, path);
    }

    /// <summary>The largest file <see cref="LoadAsync"/> reads; a hand-written incident is a few kilobytes.</summary>
    public const int MaxFileBytes = 16 * 1024 * 1024;

    /// <summary>
    /// Reads at most <see cref="MaxFileBytes"/>: a stream, not the file's stated length, so that /dev/zero or a pipe
    /// that never ends is refused too. Invalid UTF-8 becomes U+FFFD, as <see cref="File.ReadAllTextAsync(string, Encoding, CancellationToken)"/> does.
    /// </summary>
    internal static async Task<string> ReadBoundedAsync(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            using var content = new MemoryStream();
            var chunk = new byte[64 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (content.Length + read > MaxFileBytes)
                {
                    throw new ScheduleFileException(new ScheduleFileError(path, 0, 0, "(file)", $"the file is larger than {MaxFileBytes / (1024 * 1024)} MiB"));
                }

                content.Write(chunk, 0, read);
            }

            return Encoding.UTF8.GetString(content.GetBuffer(), 0, (int)content.Length);
        }
    }

    /// <summary>The format a path implies: YAML for .yaml/.yml, JSON otherwise.</summary>
    public static ScheduleFileFormat FormatOf(string path) =>
        Path.GetExtension(path).ToLower(CultureInfo.InvariantCulture) is ".yaml" or ".yml" ? ScheduleFileFormat.Yaml : ScheduleFileFormat.Json;

    private static void WriteIfPresent(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }
}
