using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary><c>f = "fault"</c> / <c>"heal"</c>: <c>{"fault", "target"?, "id"?}</c>. A heal ends the fault with the same
/// <c>id</c> (or, without ids, the same fault and target).</summary>
public sealed record NemesisValue(string Fault, string? Target = null, string? Id = null) : OperationValue
{
    /// <summary>The key pairing a fault with its heal.</summary>
    public string Key => Id ?? (Target is null ? Fault : Fault + "@" + Target);

    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("fault", Fault);
        if (Target is not null)
        {
            writer.WriteString("target", Target);
        }

        if (Id is not null)
        {
            writer.WriteString("id", Id);
        }

        writer.WriteEndObject();
    }
}
