using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary><c>f = "send"</c>: <c>{"id", "to": [users], "conversation"?, "seq"?: {"user": n}, "intended"?: ns}</c>.
/// Completions may omit <c>to</c> (it is taken from the invoke); the ok may carry the server's per-recipient seq.
/// <c>intended</c> is the load generator's intended start time (ns since run start), used for latency so that
/// a late generator does not hide latency (coordinated omission).</summary>
public sealed record SendValue(
    string Id,
    IReadOnlyList<string> To,
    string? Conversation = null,
    IReadOnlyDictionary<string, long>? Seq = null,
    long? Intended = null) : OperationValue
{
    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("id", Id);
        writer.WriteStartArray("to");
        foreach (var user in To)
        {
            writer.WriteStringValue(user);
        }

        writer.WriteEndArray();
        if (Conversation is not null)
        {
            writer.WriteString("conversation", Conversation);
        }

        if (Seq is not null)
        {
            writer.WriteStartObject("seq");
            foreach (var (user, seq) in Seq)
            {
                writer.WriteNumber(user, seq);
            }

            writer.WriteEndObject();
        }

        if (Intended is { } intended)
        {
            writer.WriteNumber("intended", intended);
        }

        writer.WriteEndObject();
    }
}
