namespace Chaos.Reference.Messaging;

/// <summary>One inbox row on the deliveries topic (the gateway backplane) and, as is, the frame a device receives.</summary>
public sealed record DeliveryRecord(string Id, string User, long Seq, string Kind, string? Sender, string? Conversation, string Payload, long SentAt);
