namespace Chaos.Reference.Messaging;

/// <summary>One (message, recipient) pair on the fan-out topic, keyed by <see cref="User"/>.</summary>
internal sealed record FanoutRecord(string MessageId, string Kind, string User, string? Sender, string? Conversation, string Payload, long SentAt);
