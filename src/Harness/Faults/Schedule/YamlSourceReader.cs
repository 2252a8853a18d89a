using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Chaos.Harness.Faults.Schedule;

/// <summary>
/// Reads YAML (YamlDotNet's representation model, which keeps positions) into <see cref="SourceNode"/>s, within
/// limits that keep a broken or hostile file from taking the harness down (docs/schedules.md, "Incident files"):
/// YamlDotNet builds its tree recursively, so 100,000 nested brackets overflowed the stack and killed the process;
/// and an alias is a reference, so nine anchors each repeating the previous one nine times expanded to 387 million
/// values, 24 GB, until the kernel killed us.
/// </summary>
internal static class YamlSourceReader
{
    /// <summary>How deep mappings and sequences may nest; a schedule needs four levels.</summary>
    internal const int MaxDepth = 64;

    /// <summary>How many values the document may hold once every alias is expanded.</summary>
    internal const int MaxValues = 100_000;

    public static SourceNode Read(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            CheckDepth(text, source);
            stream.Load(new StringReader(text));
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's scanner throws these, not a YamlException, on some malformed input (an unclosed flow
            // mapping followed by more text, found by tests/Harness.Tests/Fuzz); no position comes with them
            throw new ScheduleFileException(new ScheduleFileError(source, 0, 0, "(syntax)", $"not valid YAML: the parser gave up ({ex.Message})"));
        }
        catch (YamlException ex)
        {
            var message = ex.InnerException is YamlException inner ? inner.Message : ex.Message;
            message = message.StartsWith("Duplicate key", StringComparison.Ordinal)
                ? "a key appears twice in the same mapping"
                : $"not valid YAML: {message}";
            throw new ScheduleFileException(new ScheduleFileError(source, (int)ex.Start.Line, (int)ex.Start.Column, "(syntax)", message));
        }

        if (stream.Documents.Count == 0)
        {
            throw new ScheduleFileException(new ScheduleFileError(source, 1, 1, "(file)", "the file is empty"));
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            throw new ScheduleFileException(new ScheduleFileError(source, (int)second.Start.Line, (int)second.Start.Column, "(file)", "one document per file, please"));
        }

        var values = 0;
        return Convert(stream.Documents[0].RootNode, source, depth: 1, ref values);
    }

    /// <summary>Walks the parser's events (a loop, not a recursion) and refuses nesting deeper than <see cref="MaxDepth"/>.</summary>
    private static void CheckDepth(string text, string source)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case MappingStart or SequenceStart:
                    if (++depth > MaxDepth)
                    {
                        throw new ScheduleFileException(new ScheduleFileError(
                            source, (int)parser.Current.Start.Line, (int)parser.Current.Start.Column, "(file)", $"nested more than {MaxDepth} levels deep"));
                    }

                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }
        }
    }

    private static SourceNode Convert(YamlNode node, string source, int depth, ref int values)
    {
        var line = (int)node.Start.Line;
        var column = (int)node.Start.Column;

        // aliases are shared nodes, met again at every place they are used: count what the expansion would hold
        // (and how deep: an alias may name a collection that encloses it)
        if (++values > MaxValues || (node is not YamlScalarNode && depth > MaxDepth))
        {
            throw new ScheduleFileException(new ScheduleFileError(
                source, line, column, "(file)", $"the document expands to more than {MaxValues:N0} values or {MaxDepth} levels (aliases repeating aliases?)"));
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                var entries = new List<SourceMappingEntry>();
                foreach (var (keyNode, value) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { } key })
                    {
                        throw new ScheduleFileException(new ScheduleFileError(source, (int)keyNode.Start.Line, (int)keyNode.Start.Column, "(key)", "keys must be plain names"));
                    }

                    entries.Add(new SourceMappingEntry(key, (int)keyNode.Start.Line, (int)keyNode.Start.Column, Convert(value, source, depth + 1, ref values)));
                }

                return new SourceMapping(line, column, entries);
            case YamlSequenceNode sequence:
                var items = new List<SourceNode>(sequence.Children.Count);
                foreach (var child in sequence.Children)
                {
                    items.Add(Convert(child, source, depth + 1, ref values));
                }

                return new SourceSequence(line, column, items);
            case YamlScalarNode scalar:
                var quoted = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded;
                var isNull = !quoted && (scalar.Value is null or "" or "~" or "null" or "Null" or "NULL");
                return new SourceScalar(line, column, isNull ? null : scalar.Value, quoted);
            default:
                throw new ScheduleFileException(new ScheduleFileError(source, line, column, "(value)", "unsupported YAML node"));
        }
    }
}
