using System.Text.Json;

namespace Chaos.Harness.History;

/// <summary><c>f = "balance"</c>: an account balance read, <c>{"account", "balance"}</c>. A read before the account's
/// first submit is its opening balance; the last read is the final one.</summary>
public sealed record BalanceValue(string Account, decimal Balance) : OperationValue
{
    /// <inheritdoc/>
    public override void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("account", Account);
        writer.WriteNumber("balance", Balance);
        writer.WriteEndObject();
    }
}
