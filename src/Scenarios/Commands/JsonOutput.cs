using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Chaos.Scenarios.Commands;

/// <summary>
/// <c>--json</c> for <c>run</c>, <c>check</c> and <c>verify</c>: stdout carries one JSON document and nothing else —
/// everything a person reads (progress, the verdict line, errors) goes to stderr — so CI pipes it straight into a
/// parser (docs/running.md, "Output for machines"). The document names the command and its exit code, embeds each
/// result folder's own file (<c>results.json</c> or <c>verify.json</c>, which the command wrote), and, when the
/// command could not be carried out, the one-line errors it printed.
/// </summary>
internal sealed class JsonOutput
{
    /// <summary>The value of the document's <c>format</c> field.</summary>
    public const string FormatName = "chaos-result";

    private readonly List<Result> _results = [];

    private JsonOutput()
    {
    }

    /// <summary>The option, one instance per command.</summary>
    public static Option<bool> CreateOption() =>
        new("--json") { Description = "Print one JSON document on stdout (the results, the exit code); progress and messages go to stderr." };

    /// <summary>Records a result folder and the file in it that the document embeds, with facts about it.</summary>
    public void Add(string directory, string file, IReadOnlyDictionary<string, string?> facts) =>
        _results.Add(new Result(directory, file, facts));

    /// <summary>
    /// Runs <paramref name="action"/>; with <paramref name="json"/>, with stdout sent to stderr while it runs, then
    /// writes the document to the real stdout. Without it, just runs the action.
    /// </summary>
    public static async Task<int> RunAsync(bool json, string command, Func<JsonOutput, Task<int>> action)
    {
        var output = new JsonOutput();
        if (!json)
        {
            return await action(output);
        }

        var stdout = Console.Out;
        var stderr = Console.Error;
        var errors = new ErrorLines(stderr, $"chaos {command}: ");
        Console.SetOut(stderr);
        Console.SetError(errors);
        int exitCode;
        try
        {
            exitCode = await action(output);
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }

        await stdout.WriteAsync(Encoding.UTF8.GetString(output.Document(command, exitCode, errors.Lines)));
        await stdout.FlushAsync();
        return exitCode;
    }

    private byte[] Document(string command, int exitCode, IReadOnlyList<string> errors)
    {
        using var buffer = new MemoryStream();
        // relaxed escaping: the document is for a terminal or a parser, never for HTML, and 'it' reads better than \u0027it\u0027
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteNumber("version", 1);
            w.WriteString("command", command);
            w.WriteNumber("exitCode", exitCode);
            w.WriteString("meaning", exitCode switch { 0 => "every promise held", 1 => "a promise was broken", _ => "the run could not be carried out or decided" });
            w.WriteStartArray("errors");
            foreach (var line in errors)
            {
                w.WriteStringValue(line);
            }

            w.WriteEndArray();
            w.WriteStartArray("results");
            foreach (var result in _results)
            {
                w.WriteStartObject();
                foreach (var (key, value) in result.Facts)
                {
                    w.WriteString(key, value);
                }

                w.WriteString("directory", Path.GetFullPath(result.Directory));
                w.WritePropertyName(Path.GetFileNameWithoutExtension(result.File));
                WriteEmbedded(w, Path.Combine(result.Directory, result.File));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    // the file is one this command wrote moments ago; still, a file that is missing or not JSON is null, not a crash
    private static void WriteEmbedded(Utf8JsonWriter w, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            document.RootElement.WriteTo(w);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            w.WriteNullValue();
        }
    }

    private sealed record Result(string Directory, string File, IReadOnlyDictionary<string, string?> Facts);

    /// <summary>Passes stderr through and keeps the command's one-line errors (<c>chaos run: …</c>) for the document.</summary>
    private sealed class ErrorLines(TextWriter inner, string prefix) : TextWriter
    {
        private readonly StringBuilder _line = new();
        private readonly List<string> _lines = [];
        private readonly Lock _gate = new();

        public override Encoding Encoding => inner.Encoding;

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_gate)
                {
                    return [.. _lines];
                }
            }
        }

        public override void Write(char value)
        {
            inner.Write(value);
            Capture(value);
        }

        public override void Write(string? value)
        {
            inner.Write(value);
            foreach (var c in value ?? string.Empty)
            {
                Capture(c);
            }
        }

        private void Capture(char value)
        {
            lock (_gate)
            {
                if (value == '\n')
                {
                    var line = _line.ToString().TrimEnd('\r');
                    if (line.StartsWith(prefix, StringComparison.Ordinal))
                    {
                        _lines.Add(line[prefix.Length..]);
                    }

                    _line.Clear();
                }
                else if (_line.Length < 4096)
                {
                    _line.Append(value);
                }
            }
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(string? value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override void Flush() => inner.Flush();
    }
}
