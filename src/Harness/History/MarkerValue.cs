using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary><c>f = "drain"</c> and <c>f = "truncated"</c>: <c>{"target"?, "detail"?}</c> — what was drained, or which
/// log the broker truncated.</summary>
public sealed record MarkerValue(string? Target = null, string? Detail = null) : OperationValue
{
    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        if (Target is not null)
        {
            writer.WriteString("target", Target);
        }

        if (Detail is not null)
        {
            writer.WriteString("detail", Detail);
        }

        writer.WriteEndObject();
    }
}
