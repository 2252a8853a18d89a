using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary><c>f = "deliver"</c> (what the app layer of one device received) and <c>f = "drop"</c> (a transport
/// redelivery the client library dropped): <c>{"id", "user", "device", "seq"}</c>.</summary>
public sealed record DeliverValue(string Id, string User, string Device, long Seq) : OperationValue
{
    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("id", Id);
        writer.WriteString("user", User);
        writer.WriteString("device", Device);
        writer.WriteNumber("seq", Seq);
        writer.WriteEndObject();
    }
}
