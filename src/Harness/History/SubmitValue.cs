using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary><c>f = "submit"</c>: a background job <c>{"id", "txn"?, "account"?, "amount"?}</c> — "credit account by
/// amount with transaction id txn".</summary>
public sealed record SubmitValue(string Id, string? Txn = null, string? Account = null, decimal? Amount = null) : OperationValue
{
    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("id", Id);
        if (Txn is not null)
        {
            writer.WriteString("txn", Txn);
        }

        if (Account is not null)
        {
            writer.WriteString("account", Account);
        }

        if (Amount is { } amount)
        {
            writer.WriteNumber("amount", amount);
        }

        writer.WriteEndObject();
    }
}
