namespace Chaos.Reference.Client;

/// <summary>The hub's Deliver payload (camelCase JSON): see docs/reference-system.md.</summary>
public sealed record DeliveryFrame(string Id, string User, long Seq, string Kind, string? Sender, string? Conversation, string Payload, long SentAt);
