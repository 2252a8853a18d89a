using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary><c>f = "job-state"</c>: <c>{"id", "state", "reason"?, "attempts"?}</c>; the last one per job is its final state.</summary>
public sealed record JobStateValue(string Id, string State, string? Reason = null, int? Attempts = null) : OperationValue
{
    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("id", Id);
        writer.WriteString("state", State);
        if (Reason is not null)
        {
            writer.WriteString("reason", Reason);
        }

        if (Attempts is { } attempts)
        {
            writer.WriteNumber("attempts", attempts);
        }

        writer.WriteEndObject();
    }
}
