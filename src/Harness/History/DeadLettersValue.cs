using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary>
/// <c>f = "dead-letters"</c> (final drain, one ok event): <c>{"topic", "records": [{"id", "reason"?}...]}</c> — every
/// keyed record on the system's dead-letter topic as the harness read it from Kafka itself, from the log start to the
/// high watermark taken after the job states were read. The evidence that a job the system calls dead-lettered was in
/// fact handed on (docs/history.md, "dead-letters"); absent when the system has no dead-letter topic or it was unreadable.
/// </summary>
public sealed record DeadLettersValue(string Topic, IReadOnlyList<DeadLetterRecord> Records) : OperationValue
{
    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("topic", Topic);
        writer.WriteStartArray("records");
        foreach (var record in Records)
        {
            writer.WriteStartObject();
            writer.WriteString("id", record.Id);
            if (record.Reason is not null)
            {
                writer.WriteString("reason", record.Reason);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
