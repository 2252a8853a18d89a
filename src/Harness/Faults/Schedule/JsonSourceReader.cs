using System.Text;
using System.Text.Json;

namespace Chaos.Harness.Faults.Schedule;

/// <summary>
/// Reads JSON into <see cref="SourceNode"/>s that remember their line and column. System.Text.Json's DOM
/// forgets positions, so we walk a <see cref="Utf8JsonReader"/> and map each token's byte offset to a line.
/// </summary>
internal static class JsonSourceReader
{
    public static SourceNode Read(string text, string source)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lineStarts.Add(i + 1);
            }
        }

        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read())
            {
                throw new ScheduleFileException(new ScheduleFileError(source, 1, 1, "(file)", "the file is empty"));
            }

            var node = ReadValue(ref reader, lineStarts, bytes, source);
            if (reader.Read())
            {
                var (line, column) = Position(reader.TokenStartIndex, lineStarts, bytes);
                throw new ScheduleFileException(new ScheduleFileError(source, line, column, "(file)", "unexpected content after the end of the document"));
            }

            return node;
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? 0) + 1;
            var column = (int)(ex.BytePositionInLine ?? 0) + 1;
            throw new ScheduleFileException(new ScheduleFileError(source, line, column, "(syntax)", $"not valid JSON: {FirstSentence(ex.Message)}"));
        }
        catch (InvalidOperationException ex)
        {
            // GetString throws this, not a JsonException, for a string that is no .NET text (a lone surrogate "\ud800")
            var (line, column) = Position(reader.TokenStartIndex, lineStarts, bytes);
            throw new ScheduleFileException(new ScheduleFileError(source, line, column, "(syntax)", $"not valid text: {ex.Message}"));
        }
    }

    private static SourceNode ReadValue(ref Utf8JsonReader reader, List<int> lineStarts, byte[] bytes, string source)
    {
        var (line, column) = Position(reader.TokenStartIndex, lineStarts, bytes);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var entries = new List<SourceMappingEntry>();
                var keys = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var (keyLine, keyColumn) = Position(reader.TokenStartIndex, lineStarts, bytes);
                    var key = reader.GetString()!;

                    // a set, not a scan of the entries so far: 120,000 keys took 41 s that way
                    if (!keys.Add(key))
                    {
                        throw new ScheduleFileException(new ScheduleFileError(source, keyLine, keyColumn, key, $"'{key}' appears twice in the same object"));
                    }

                    reader.Read();
                    entries.Add(new SourceMappingEntry(key, keyLine, keyColumn, ReadValue(ref reader, lineStarts, bytes, source)));
                }

                return new SourceMapping(line, column, entries);
            case JsonTokenType.StartArray:
                var items = new List<SourceNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref reader, lineStarts, bytes, source));
                }

                return new SourceSequence(line, column, items);
            case JsonTokenType.String:
                return new SourceScalar(line, column, reader.GetString(), Quoted: true);
            case JsonTokenType.Number:
                return new SourceScalar(line, column, Encoding.UTF8.GetString(reader.ValueSpan), Quoted: false);
            case JsonTokenType.True:
                return new SourceScalar(line, column, "true", Quoted: false);
            case JsonTokenType.False:
                return new SourceScalar(line, column, "false", Quoted: false);
            default:
                return new SourceScalar(line, column, null, Quoted: false);
        }
    }

    private static (int Line, int Column) Position(long offset, List<int> lineStarts, byte[] bytes)
    {
        var index = lineStarts.BinarySearch((int)offset);
        var lineIndex = index >= 0 ? index : ~index - 1;
        var start = lineStarts[lineIndex];

        // Columns count characters, not UTF-8 bytes.
        return (lineIndex + 1, Encoding.UTF8.GetCharCount(bytes, start, (int)offset - start) + 1);
    }

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (end > 0 ? message[..end] : message).TrimEnd();
    }
}
