using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary><c>f = "device"</c>: a virtual device exists, <c>{"user", "device"}</c>. Without it a device that
/// received nothing and was never synced would be invisible to the checkers.</summary>
public sealed record DeviceValue(string User, string Device) : OperationValue
{
    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("user", User);
        writer.WriteString("device", Device);
        writer.WriteEndObject();
    }
}
