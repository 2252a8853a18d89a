using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary><c>f = "attempt"</c>: one processing attempt of a job, <c>{"id", "attempt": n (1-based), "outcome"?}</c>
/// with outcome <c>ok | transient | permanent</c>. The event's time is when the attempt started.</summary>
public sealed record AttemptValue(string Id, int Attempt, string? Outcome = null) : OperationValue
{
    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("id", Id);
        writer.WriteNumber("attempt", Attempt);
        if (Outcome is not null)
        {
            writer.WriteString("outcome", Outcome);
        }

        writer.WriteEndObject();
    }
}
