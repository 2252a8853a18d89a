using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary>Decodes the value of a known op straight from its UTF-8 bytes (no DOM: the reader must stay linear and lean).</summary>
internal static class OperationValueParser
{
    /// <summary>Whether <paramref name="f"/> is an op this parser decodes.</summary>
    public static bool IsKnown(string f) => f is HistoryOps.Send or HistoryOps.Deliver or HistoryOps.Drop or HistoryOps.Sync
        or HistoryOps.Device or HistoryOps.Connect or HistoryOps.Submit or HistoryOps.JobState or HistoryOps.DeadLetters or HistoryOps.Attempt or HistoryOps.Call or HistoryOps.Balance
        or HistoryOps.Fault or HistoryOps.Heal or HistoryOps.Phase or HistoryOps.Drain or HistoryOps.Truncated or HistoryOps.Overloaded or HistoryOps.NodeDown;

    /// <summary>Decodes <paramref name="value"/> for op <paramref name="f"/>; null for an unknown op.</summary>
    public static OperationValue? Parse(string f, ReadOnlySpan<byte> value, StringPool pool)
    {
        var reader = new Utf8JsonReader(value);
        if (!reader.Read())
        {
            throw new HistoryValueException($"'{f}' value must be a JSON object");
        }

        return Parse(f, ref reader, pool, value);
    }

    /// <summary>Decodes the object the reader is on (its StartObject token) for op <paramref name="f"/>, leaving the
    /// reader on the object's EndObject; <paramref name="source"/> is the buffer the reader reads. Sets
    /// <see cref="StringPool.SawUnknownField"/> when a field was skipped.</summary>
    public static OperationValue? Parse(string f, ref Utf8JsonReader reader, StringPool pool, ReadOnlySpan<byte> source)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new HistoryValueException($"'{f}' value must be a JSON object");
        }

        return f switch
        {
            HistoryOps.Send => ParseSend(ref reader, pool),
            HistoryOps.Deliver or HistoryOps.Drop => ParseDeliver(ref reader, pool, f),
            HistoryOps.Sync => ParseSync(ref reader, pool),
            HistoryOps.Device => ParseDevice(ref reader, pool),
            HistoryOps.Connect => ParseConnect(ref reader, pool),
            HistoryOps.Submit => ParseSubmit(ref reader, pool),
            HistoryOps.JobState => ParseJobState(ref reader, pool),
            HistoryOps.DeadLetters => ParseDeadLetters(ref reader, pool),
            HistoryOps.Attempt => ParseAttempt(ref reader, pool),
            HistoryOps.Call => ParseCall(ref reader, pool),
            HistoryOps.Balance => ParseBalance(ref reader, pool),
            HistoryOps.Fault or HistoryOps.Heal => ParseNemesis(ref reader, pool, f, source),
            HistoryOps.Phase => ParsePhase(ref reader, pool),
            HistoryOps.Drain or HistoryOps.Truncated or HistoryOps.Overloaded or HistoryOps.NodeDown => ParseMarker(ref reader, pool, source),
            _ => null,
        };
    }

    private static SendValue ParseSend(ref Utf8JsonReader reader, StringPool pool)
    {
        string? id = null, conversation = null;
        string[]? to = null;
        IReadOnlyDictionary<string, long>? seq = null;
        long? intended = null;
        while (NextProperty(ref reader, out var name))
        {
            switch (name)
            {
                case "id": id = ReadString(ref reader, pool, HistoryOps.Send, name); break;
                case "conversation": conversation = ReadOptionalString(ref reader, pool, HistoryOps.Send, name); break;
                case "intended": intended = ReadOptionalLong(ref reader, HistoryOps.Send, name); break;
                case "to":
                    Expect(ref reader, JsonTokenType.StartArray, HistoryOps.Send, name, "an array of user names");
                    var users = pool.ScratchStrings;
                    users.Clear();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            throw new HistoryValueException("'send' value: 'to' must be an array of strings");
                        }

                        users.Add(pool.Get(ref reader));
                    }

                    to = [.. users];
                    break;
                case "seq":
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        break;
                    }

                    Expect(ref reader, JsonTokenType.StartObject, HistoryOps.Send, name, "an object {user: seq}");
                    var keys = pool.ScratchStrings;
                    var values = pool.ScratchLongs;
                    keys.Clear();
                    values.Clear();
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var user = pool.Get(ref reader);
                        reader.Read();
                        keys.Add(user);
                        values.Add(ReadLong(ref reader, HistoryOps.Send, "seq." + user));
                    }

                    seq = new SeqMap([.. keys], [.. values]);
                    break;
                default: SkipUnknown(ref reader, pool); break;
            }
        }

        return new SendValue(Required(id, HistoryOps.Send, "id"), to ?? [], conversation, seq, intended);
    }

    private static DeliverValue ParseDeliver(ref Utf8JsonReader reader, StringPool pool, string f)
    {
        string? id = null, user = null, device = null;
        long? seq = null;
        while (NextProperty(ref reader, out var name))
        {
            switch (name)
            {
                case "id": id = ReadString(ref reader, pool, f, name); break;
                case "user": user = ReadString(ref reader, pool, f, name); break;
                case "device": device = ReadString(ref reader, pool, f, name); break;
                case "seq": seq = ReadLong(ref reader, f, name); break;
                default: SkipUnknown(ref reader, pool); break;
            }
        }

        return new DeliverValue(Required(id, f, "id"), Required(user, f, "user"), Required(device, f, "device"), Required(seq, f, "seq"));
    }

    private static SyncValue ParseSync(ref Utf8JsonReader reader, StringPool pool)
    {
        const string f = HistoryOps.Sync;
        string? user = null, device = null;
        List<SyncItem> items = [];
        while (NextProperty(ref reader, out var name))
        {
            switch (name)
            {
                case "user": user = ReadString(ref reader, pool, f, name); break;
                case "device": device = ReadString(ref reader, pool, f, name); break;
                case "items":
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        break;
                    }

                    Expect(ref reader, JsonTokenType.StartArray, f, name, "an array of {id, seq}");
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            throw new HistoryValueException("'sync' value: 'items' must be an array of {\"id\", \"seq\"} objects");
                        }

                        string? id = null;
                        long? seq = null;
                        while (NextProperty(ref reader, out var itemName))
                        {
                            switch (itemName)
                            {
                                case "id": id = ReadString(ref reader, pool, f, "items[].id"); break;
                                case "seq": seq = ReadLong(ref reader, f, "items[].seq"); break;
                                default: SkipUnknown(ref reader, pool); break;
                            }
                        }

                        items.Add(new SyncItem(Required(id, f, "items[].id"), Required(seq, f, "items[].seq")));
                    }

                    break;
                default: SkipUnknown(ref reader, pool); break;
            }
        }

        return new SyncValue(Required(user, f, "user"), Required(device, f, "device"), items);
    }

    private static DeviceValue ParseDevice(ref Utf8JsonReader reader, StringPool pool)
    {
        string? user = null, device = null;
        while (NextProperty(ref reader, out var name))
        {
            switch (name)
            {
                case "user": user = ReadString(ref reader, pool, HistoryOps.Device, name); break;
                case "device": device = ReadString(ref reader, pool, HistoryOps.Device, name); break;
                default: SkipUnknown(ref reader, pool); break;
            }
        }

        return new DeviceValue(Required(user, HistoryOps.Device, "user"), Required(device, HistoryOps.Device, "device"));
    }

    private static ConnectValue ParseConnect(ref Utf8JsonReader reader, StringPool pool)
    {
        const string f = HistoryOps.Connect;
        string? user = null, device = null;
        long? client = null;
        while (NextProperty(ref reader, out var name))
        {
            switch (name)
            {
                case "user": user = ReadString(ref reader, pool, f, name); break;
                case "device": device = ReadString(ref reader, pool, f, name); break;
                case "client": client = ReadOptionalLong(ref reader, f, name); break;
                default: SkipUnknown(ref reader, pool); break;
            }
        }

        if (client is < 1 or > int.MaxValue)
        {
            throw new HistoryValueException($"'{f}' value: 'client' must be a positive integer, was {client}");
        }

        return new ConnectValue(Required(user, f, "user"), Required(device, f, "device"), (int)(client ?? 1));
    }

    private static SubmitValue ParseSubmit(ref Utf8JsonReader reader, StringPool pool)
    {
        const string f = HistoryOps.Submit;
        string? id = null, txn = null, account = null;
        decimal? amount = null;
        while (NextProperty(ref reader, out var name))
        {
            switch (name)
            {
                case "id": id = ReadString(ref reader, pool, f, name); break;
                case "txn": txn = ReadOptionalString(ref reader, pool, f, name); break;
                case "account": account = ReadOptionalString(ref reader, pool, f, name); break;
                case "amount": amount = ReadOptionalDecimal(ref reader, f, name); break;
                default: SkipUnknown(ref reader, pool); break;
            }
        }

        return new SubmitValue(Required(id, f, "id"), txn, account, amount);
    }

    private static JobStateValue ParseJobState(ref Utf8JsonReader reader, StringPool pool)
    {
        const string f = HistoryOps.JobState;
        string? id = null, state = null, reason = null;
        long? attempts = null;
        while (NextProperty(ref reader, out var name))
        {
            switch (name)
            {
                case "id": id = ReadString(ref reader, pool, f, name); break;
                case "state": state = ReadString(ref reader, pool, f, name); break;
                case "reason": reason = ReadOptionalString(ref reader, pool, f, name); break;
                case "attempts": attempts = ReadOptionalLong(ref reader, f, name); break;
                default: SkipUnknown(ref reader, pool); break;
            }
        }

        return new JobStateValue(Required(id, f, "id"), Required(state, f, "state"), reason, (int?)attempts);
    }

    private static DeadLettersValue ParseDeadLetters(ref Utf8JsonReader reader, StringPool pool)
    {
        const string f = HistoryOps.DeadLetters;
        string? topic = null;
        List<DeadLetterRecord> records = [];
        while (NextProperty(ref reader, out var name))
        {
            switch (name)
            {
                case "topic": topic = ReadString(ref reader, pool, f, name); break;
                case "records":
                    Expect(ref reader, JsonTokenType.StartArray, f, name, "an array of {id, reason}");
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.StartObject)
                        {
                            throw new HistoryValueException("'dead-letters' value: 'records' must be an array of {\"id\", \"reason\"} objects");
                        }

                        string? id = null, reason = null;
                        while (NextProperty(ref reader, out var recordName))
                        {
                            switch (recordName)
                            {
                                case "id": id = ReadString(ref reader, pool, f, "records[].id"); break;
                                case "reason": reason = ReadOptionalString(ref reader, pool, f, "records[].reason"); break;
                                default: SkipUnknown(ref reader, pool); break;
                            }
                        }

                        records.Add(new DeadLetterRecord(Required(id, f, "records[].id"), reason));
                    }

                    break;
                default: SkipUnknown(ref reader, pool); break;
            }
        }

        return new DeadLettersValue(Required(topic, f, "topic"), records);
    }

    private static AttemptValue ParseAttempt(ref Utf8JsonReader reader, StringPool pool)
    {
        const string f = HistoryOps.Attempt;
        string? id = null, outcome = null;
        long? attempt = null;
        while (NextProperty(ref reader, out var name))
        {
            switch (name)
            {
                case "id": id = ReadString(ref reader, pool, f, name); break;
                case "attempt": attempt = ReadLong(ref reader, f, name); break;
                case "outcome": outcome = ReadOptionalString(ref reader, pool, f, name); break;
                default: SkipUnknown(ref reader, pool); break;
            }
        }

        return new AttemptValue(Required(id, f, "id"), (int)Required(attempt, f, "attempt"), outcome);
    }

    private static CallValue ParseCall(ref Utf8JsonReader reader, StringPool pool)
    {
        const string f = HistoryOps.Call;
        string? id = null, job = null, outcome = null, txn = null, instance = null;
        long? attempt = null, status = null, held = null;
        while (NextProperty(ref reader, out var name))
        {
            switch (name)
            {
                case "id": id = ReadString(ref reader, pool, f, name); break;
                case "job": job = ReadString(ref reader, pool, f, name); break;
                case "heldMs": held = ReadOptionalLong(ref reader, f, name); break;
                case "outcome": outcome = ReadString(ref reader, pool, f, name); break;
                case "attempt": attempt = ReadOptionalLong(ref reader, f, name); break;
                case "status": status = ReadOptionalLong(ref reader, f, name); break;
                case "txn": txn = ReadOptionalString(ref reader, pool, f, name); break;
                case "instance": instance = ReadOptionalString(ref reader, pool, f, name); break;
                default: SkipUnknown(ref reader, pool); break;
            }
        }

        if (status is < 100 or > 599)
        {
            throw new HistoryValueException($"'{f}' value: 'status' must be an HTTP status (100-599), was {status}");
        }

        if (held < 0)
        {
            throw new HistoryValueException($"'{f}' value: 'heldMs' must not be negative, was {held}");
        }

        return new CallValue(Required(id, f, "id"), Required(job, f, "job"), Required(outcome, f, "outcome"), (int?)attempt, txn, instance, (int?)status, held);
    }

    private static BalanceValue ParseBalance(ref Utf8JsonReader reader, StringPool pool)
    {
        const string f = HistoryOps.Balance;
        string? account = null;
        decimal? balance = null;
        while (NextProperty(ref reader, out var name))
        {
            switch (name)
            {
                case "account": account = ReadString(ref reader, pool, f, name); break;
                case "balance": balance = ReadOptionalDecimal(ref reader, f, name); break;
                default: SkipUnknown(ref reader, pool); break;
            }
        }

        return new BalanceValue(Required(account, f, "account"), Required(balance, f, "balance"));
    }

    private static NemesisValue ParseNemesis(ref Utf8JsonReader reader, StringPool pool, string f, ReadOnlySpan<byte> source)
    {
        string? fault = null, target = null, id = null;
        while (NextProperty(ref reader, out var name))
        {
            switch (name)
            {
                case "fault": fault = ReadString(ref reader, pool, f, name); break;
                case "target": target = ReadScalarAsString(ref reader, pool, source); break;
                case "id": id = ReadScalarAsString(ref reader, pool, source); break;
                default: SkipUnknown(ref reader, pool); break;
            }
        }

        return new NemesisValue(Required(fault, f, "fault"), target, id);
    }

    private static PhaseValue ParsePhase(ref Utf8JsonReader reader, StringPool pool)
    {
        string? phase = null;
        while (NextProperty(ref reader, out var name))
        {
            if (name == "name")
            {
                phase = ReadString(ref reader, pool, HistoryOps.Phase, name);
            }
            else
            {
                SkipUnknown(ref reader, pool);
            }
        }

        return new PhaseValue(Required(phase, HistoryOps.Phase, "name"));
    }

    private static MarkerValue ParseMarker(ref Utf8JsonReader reader, StringPool pool, ReadOnlySpan<byte> source)
    {
        string? target = null, detail = null;
        while (NextProperty(ref reader, out var name))
        {
            switch (name)
            {
                case "target": target = ReadScalarAsString(ref reader, pool, source); break;
                case "detail": detail = ReadScalarAsString(ref reader, pool, source); break;
                default: SkipUnknown(ref reader, pool); break;
            }
        }

        return new MarkerValue(target, detail);
    }

    private static void SkipUnknown(ref Utf8JsonReader reader, StringPool pool)
    {
        pool.SawUnknownField = true;
        reader.Skip();
    }

    /// <summary>Moves to the next property's value; false at the end of the object.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader, out string name)
    {
        if (!reader.Read() || reader.TokenType == JsonTokenType.EndObject)
        {
            name = "";
            return false;
        }

        name = reader.GetString()!;
        reader.Read();
        return true;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string f, string name, string what)
    {
        if (reader.TokenType != type)
        {
            throw new HistoryValueException($"'{f}' value: '{name}' must be {what}, not {Describe(reader.TokenType)}");
        }
    }

    private static string ReadString(ref Utf8JsonReader reader, StringPool pool, string f, string name)
    {
        Expect(ref reader, JsonTokenType.String, f, name, "a string");
        return pool.Get(ref reader);
    }

    private static string? ReadOptionalString(ref Utf8JsonReader reader, StringPool pool, string f, string name) =>
        reader.TokenType == JsonTokenType.Null ? null : ReadString(ref reader, pool, f, name);

    private static string? ReadScalarAsString(ref Utf8JsonReader reader, StringPool pool, ReadOnlySpan<byte> source)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String: return pool.Get(ref reader);
            case JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False:
                return System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
            case JsonTokenType.Null: return null;
            default:
                // A structured target (e.g. {"role": "notifier", "instance": 1}) is kept as its JSON text.
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                return System.Text.Encoding.UTF8.GetString(source[start..(int)reader.BytesConsumed]);
        }
    }

    private static long ReadLong(ref Utf8JsonReader reader, string f, string name)
    {
        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value))
        {
            throw new HistoryValueException($"'{f}' value: '{name}' must be an integer, not {Describe(reader.TokenType)}");
        }

        return value;
    }

    private static long? ReadOptionalLong(ref Utf8JsonReader reader, string f, string name) =>
        reader.TokenType == JsonTokenType.Null ? null : ReadLong(ref reader, f, name);

    private static decimal? ReadOptionalDecimal(ref Utf8JsonReader reader, string f, string name)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDecimal(out var value))
        {
            throw new HistoryValueException($"'{f}' value: '{name}' must be a number, not {Describe(reader.TokenType)}");
        }

        return value;
    }

    private static T Required<T>(T? value, string f, string name) where T : class =>
        value ?? throw new HistoryValueException($"'{f}' value lacks '{name}'");

    private static T Required<T>(T? value, string f, string name) where T : struct =>
        value ?? throw new HistoryValueException($"'{f}' value lacks '{name}'");

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        _ => type.ToString(),
    };
}
