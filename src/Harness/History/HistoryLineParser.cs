using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary>Parses one JSON line into an event (throws <see cref="HistoryValueException"/> or <see cref="JsonException"/>).</summary>
internal static class HistoryLineParser
{
    public static HistoryEvent Parse(ReadOnlySpan<byte> line, StringPool pool)
    {
        var reader = new Utf8JsonReader(line);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new HistoryValueException("not a JSON object");
        }

        long? index = null, time = null;
        string? process = null, f = null;
        HistoryEventType? type = null;
        byte[]? raw = null;
        OperationValue? op = null;
        var decoded = false;
        var hasValue = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            var escaped = reader.ValueIsEscaped;
            reader.Read();
            if (escaped)
            {
                reader.Skip();
                continue;
            }

            if (name.SequenceEqual("index"u8))
            {
                index = ReadLong(ref reader, "index");
            }
            else if (name.SequenceEqual("time"u8))
            {
                time = ReadLong(ref reader, "time");
            }
            else if (name.SequenceEqual("process"u8))
            {
                process = reader.TokenType switch
                {
                    JsonTokenType.String => pool.Get(ref reader),
                    // Jepsen histories number their client processes.
                    JsonTokenType.Number => System.Text.Encoding.UTF8.GetString(reader.ValueSpan),
                    _ => throw new HistoryValueException("'process' must be a string"),
                };
            }
            else if (name.SequenceEqual("type"u8))
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw new HistoryValueException("'type' must be a string");
                }

                type = ParseType(reader.ValueSpan);
            }
            else if (name.SequenceEqual("f"u8))
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    throw new HistoryValueException("'f' must be a string");
                }

                f = HistoryOps.Intern(reader.ValueSpan) ?? pool.Get(ref reader);
            }
            else if (name.SequenceEqual("value"u8))
            {
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new HistoryValueException("'value' must be a JSON object");
                }

                var start = (int)reader.TokenStartIndex;
                if (f is not null && OperationValueParser.IsKnown(f))
                {
                    // The common case (the writer puts f before value): decode in the same pass, and keep the raw
                    // text only when it holds fields the typed value does not.
                    pool.SawUnknownField = false;
                    op = OperationValueParser.Parse(f, ref reader, pool, line);
                    decoded = true;
                    raw = pool.SawUnknownField ? line[start..(int)reader.BytesConsumed].ToArray() : null;
                }
                else
                {
                    reader.Skip();
                    raw = line[start..(int)reader.BytesConsumed].ToArray();
                }

                hasValue = true;
            }
            else
            {
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw new HistoryValueException("not a JSON object");
        }

        if (reader.Read())
        {
            throw new HistoryValueException("text after the JSON object");
        }

        if (index is null) throw new HistoryValueException("missing 'index'");
        if (time is null) throw new HistoryValueException("missing 'time'");
        if (process is null) throw new HistoryValueException("missing 'process'");
        if (type is null) throw new HistoryValueException("missing 'type'");
        if (f is null) throw new HistoryValueException("missing 'f'");

        if (!decoded)
        {
            // f came after value, or there was no value: decode now (an unknown op stays undecoded).
            raw ??= "{}"u8.ToArray();
            pool.SawUnknownField = false;
            op = OperationValueParser.Parse(f, raw, pool);
            if (op is not null && hasValue && !pool.SawUnknownField)
            {
                raw = null;
            }
        }

        return new HistoryEvent(index.Value, time.Value, process, type.Value, f, op, raw);
    }

    private static long ReadLong(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value))
        {
            throw new HistoryValueException($"'{name}' must be an integer");
        }

        return value;
    }

    private static HistoryEventType ParseType(ReadOnlySpan<byte> text)
    {
        if (text.SequenceEqual("invoke"u8)) return HistoryEventType.Invoke;
        if (text.SequenceEqual("ok"u8)) return HistoryEventType.Ok;
        if (text.SequenceEqual("fail"u8)) return HistoryEventType.Fail;
        if (text.SequenceEqual("info"u8)) return HistoryEventType.Info;
        throw new HistoryValueException($"'type' must be invoke, ok, fail or info, not '{System.Text.Encoding.UTF8.GetString(text)}'");
    }
}
