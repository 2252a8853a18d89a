using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary><c>f = "connect"</c>, <c>{"user", "device", "client"?}</c>: an <c>invoke</c> when a device's client began a
/// connection attempt — observed by the harness, whose token provider the client calls once per attempt, not reported
/// by the client; an <c>ok</c> / <c>fail</c> when the client reports it is connected / not connected and retrying.
/// <c>client</c> numbers the app's incarnations (1, then one more per app restart), so the attempts of a killed app and
/// of its successor are not read as one client's. Judged by the reconnect-pacing rule (docs/checkers.md).</summary>
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
