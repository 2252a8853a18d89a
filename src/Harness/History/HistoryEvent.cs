using System.Buffers;
using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary>One line of a history: <c>{"index", "time" (ns since run start), "process", "type", "f", "value"}</c>.
/// Known ops are decoded once into <see cref="Op"/>; the value's raw JSON is kept (unknown fields included).</summary>
public sealed class HistoryEvent
{
    private byte[]? _rawValue;

    /// <summary>Creates an event; <paramref name="rawValue"/> is the value's JSON text (built from <paramref name="op"/> when null).</summary>
    public HistoryEvent(long index, long time, string process, HistoryEventType type, string f, OperationValue? op, byte[]? rawValue = null)
    {
        ArgumentNullException.ThrowIfNull(process);
        ArgumentNullException.ThrowIfNull(f);
        Index = index;
        Time = time;
        Process = process;
        Type = type;
        F = f;
        Op = op;
        _rawValue = rawValue;
    }

    /// <summary>Position in the history (assigned by the writer, strictly increasing).</summary>
    public long Index { get; }

    /// <summary>Nanoseconds since the run started.</summary>
    public long Time { get; }

    /// <summary>Who performed the operation (a sender, a device, <c>nemesis</c>, ...).</summary>
    public string Process { get; }

    /// <summary>invoke, ok, fail or info.</summary>
    public HistoryEventType Type { get; }

    /// <summary>The operation.</summary>
    public string F { get; }

    /// <summary>The decoded value of a known op; null for an op the harness does not know.</summary>
    public OperationValue? Op { get; }

    /// <summary>The value as JSON text (UTF-8), with every field the writer put there.</summary>
    public ReadOnlyMemory<byte> RawValue => _rawValue ??= Serialize(Op);

    /// <summary>The value as a JSON element (parsed on each call: for reports and unknown ops, not hot paths).</summary>
    public JsonElement Value => JsonSerializer.Deserialize<JsonElement>(RawValue.Span);

    /// <summary>The send value when <c>f = "send"</c>.</summary>
    public SendValue? AsSend() => Op as SendValue;

    /// <summary>The delivery when <c>f = "deliver"</c>.</summary>
    public DeliverValue? AsDeliver() => F == HistoryOps.Deliver ? Op as DeliverValue : null;

    /// <summary>The dropped redelivery when <c>f = "drop"</c>.</summary>
    public DeliverValue? AsDrop() => F == HistoryOps.Drop ? Op as DeliverValue : null;

    /// <summary>The final-drain inbox when <c>f = "sync"</c>.</summary>
    public SyncValue? AsSync() => Op as SyncValue;

    /// <summary>The device declaration when <c>f = "device"</c>.</summary>
    public DeviceValue? AsDevice() => Op as DeviceValue;

    /// <summary>The connection attempt when <c>f = "connect"</c>.</summary>
    public ConnectValue? AsConnect() => Op as ConnectValue;

    /// <summary>The job when <c>f = "submit"</c>.</summary>
    public SubmitValue? AsSubmit() => Op as SubmitValue;

    /// <summary>The job state when <c>f = "job-state"</c>.</summary>
    public JobStateValue? AsJobState() => Op as JobStateValue;

    /// <summary>The job attempt when <c>f = "attempt"</c>.</summary>
    public AttemptValue? AsAttempt() => Op as AttemptValue;

    /// <summary>The downstream provider's observed call when <c>f = "call"</c>.</summary>
    public CallValue? AsCall() => Op as CallValue;

    /// <summary>The balance read when <c>f = "balance"</c>.</summary>
    public BalanceValue? AsBalance() => Op as BalanceValue;

    /// <summary>The fault when <c>f = "fault"</c>.</summary>
    public NemesisValue? AsFault() => F == HistoryOps.Fault ? Op as NemesisValue : null;

    /// <summary>The healed fault when <c>f = "heal"</c>.</summary>
    public NemesisValue? AsHeal() => F == HistoryOps.Heal ? Op as NemesisValue : null;

    /// <summary>The phase marker when <c>f = "phase"</c>.</summary>
    public PhaseValue? AsPhase() => Op as PhaseValue;

    /// <summary>Writes the whole event as one JSON object (no newline).</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteNumber("index", Index);
        writer.WriteNumber("time", Time);
        writer.WriteString("process", Process);
        writer.WriteString("type", TypeName(Type));
        writer.WriteString("f", F);
        writer.WritePropertyName("value");
        writer.WriteRawValue(RawValue.Span, skipInputValidation: true);
        writer.WriteEndObject();
    }

    /// <summary>The event as its JSON line (no newline).</summary>
    public override string ToString()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The wire name of an event type.</summary>
    public static string TypeName(HistoryEventType type) => type switch
    {
        HistoryEventType.Invoke => "invoke",
        HistoryEventType.Ok => "ok",
        HistoryEventType.Fail => "fail",
        _ => "info",
    };

    private static byte[] Serialize(OperationValue? op)
    {
        if (op is null)
        {
            return "{}"u8.ToArray();
        }

        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            op.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
