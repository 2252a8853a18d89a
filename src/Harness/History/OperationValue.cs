using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary>The decoded <c>value</c> of an event whose <c>f</c> the harness knows. Unknown fields are not kept here
/// (they stay in <see cref="HistoryEvent.RawValue"/>).</summary>
public abstract record OperationValue
{
    /// <summary>Writes this value as a JSON object.</summary>
    public abstract void WriteTo(Utf8JsonWriter writer);
}
