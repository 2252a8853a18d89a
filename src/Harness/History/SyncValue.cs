using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary><c>f = "sync"</c> (final drain, one ok per device): <c>{"user", "device", "items": [{"id", "seq"}...]}</c>.
/// A fail or info sync means the drain did not finish for that device.</summary>
public sealed record SyncValue(string User, string Device, IReadOnlyList<SyncItem> Items) : OperationValue
{
    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("user", User);
        writer.WriteString("device", Device);
        writer.WriteStartArray("items");
        foreach (var item in Items)
        {
            writer.WriteStartObject();
            writer.WriteString("id", item.Id);
            writer.WriteNumber("seq", item.Seq);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
