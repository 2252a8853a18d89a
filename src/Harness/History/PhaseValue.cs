using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary><c>f = "phase"</c>: the run enters a phase, <c>{"name"}</c> (see <see cref="RunPhases"/>).</summary>
public sealed record PhaseValue(string Name) : OperationValue
{
    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("name", Name);
        writer.WriteEndObject();
    }
}
