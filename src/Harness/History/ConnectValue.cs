using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary><c>f = "connect"</c>: a device's client began a connection attempt, <c>{"user", "device", "client"?}</c>, at
/// the event's time — observed by the harness, whose token provider the client calls once per attempt, not reported by
/// the client. <c>client</c> numbers the app's incarnations (1, then one more per app restart), so the attempts of a
/// killed app and of its successor are not read as one client's. Judged by the reconnect-pacing rule (docs/checkers.md).</summary>
public sealed record ConnectValue(string User, string Device, int Client = 1) : OperationValue
{
    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("user", User);
        writer.WriteString("device", Device);
        writer.WriteNumber("client", Client);
        writer.WriteEndObject();
    }
}
