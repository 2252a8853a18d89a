using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Chaos.Harness.Faults.Schedule;

/// <summary>Reads YAML (YamlDotNet's representation model, which keeps positions) into <see cref="SourceNode"/>s.</summary>
internal static class YamlSourceReader
{
    public static SourceNode Read(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
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

        return Convert(stream.Documents[0].RootNode, source);
    }

    private static SourceNode Convert(YamlNode node, string source)
    {
        var line = (int)node.Start.Line;
        var column = (int)node.Start.Column;
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

                    entries.Add(new SourceMappingEntry(key, (int)keyNode.Start.Line, (int)keyNode.Start.Column, Convert(value, source)));
                }

                return new SourceMapping(line, column, entries);
            case YamlSequenceNode sequence:
                return new SourceSequence(line, column, [.. sequence.Children.Select(c => Convert(c, source))]);
            case YamlScalarNode scalar:
                var quoted = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded;
                var isNull = !quoted && (scalar.Value is null or "" or "~" or "null" or "Null" or "NULL");
                return new SourceScalar(line, column, isNull ? null : scalar.Value, quoted);
            default:
                throw new ScheduleFileException(new ScheduleFileError(source, line, column, "(value)", "unsupported YAML node"));
        }
    }
}
