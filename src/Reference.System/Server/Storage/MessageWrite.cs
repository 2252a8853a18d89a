namespace Chaos.Reference.Storage;

/// <summary>One chat message or notification to persist: what <see cref="Store.CreateMessageAsync"/> takes, as a value a batch can hold;
/// <paramref name="TraceParent"/>, the W3C context of its send when traced, goes into its outbox rows (SystemTracing).</summary>
internal sealed record MessageWrite(
    string IdempotencyKey, string RequestHash, string MessageId, string Kind, string? Sender, string? Conversation,
    IReadOnlyList<string> Recipients, string Payload, long Now, string FanoutTopic, bool Keyed, string? TraceParent = null);
